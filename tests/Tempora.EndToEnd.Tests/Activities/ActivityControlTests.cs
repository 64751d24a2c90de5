using System.Collections.Concurrent;
using Google.Protobuf.WellKnownTypes;
using Temporalio.Activities;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Temporalio.Workflows;

namespace Tempora.EndToEnd.Tests.Activities;

/// <summary>
/// PauseActivity, UnpauseActivity, ResetActivity, UpdateActivityOptions and UpdateWorkflowExecutionOptions with a real
/// SDK worker: what the worker sees, what Describe shows, and Temporal's answers to bad input.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ActivityControlTests(ServerFixture fixture)
{
    private const string PendingActivityNotFound = "Can't find pending activity with such ID. Invalid activityID or activity already completed";

    private TemporalClient Client => fixture.Client;

    private Temporalio.Client.WorkflowService Raw => Client.Connection.WorkflowService;

    private string Ns => Client.Options.Namespace;

    [Fact]
    public async Task PauseActivity_HeartbeatingActivity_WorkerIsCanceledWithReasonPaused()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        using var worker = NewWorker(taskQueue);
        await worker.ExecuteAsync(async () =>
        {
            var handle = await Client.StartWorkflowAsync((ActivityControlWorkflow wf) => wf.RunAsync(ActivityControlWorkflow.Mode.Heartbeat, 100),
                new(ServerFixture.NewWorkflowId(), taskQueue));
            await ActivityControlActivities.Started(handle.Id).Task.WithTimeout("the activity to start");
            await Raw.PauseActivityAsync(new PauseActivityRequest
            {
                Namespace = Ns,
                Execution = new() { WorkflowId = handle.Id },
                Id = ActivityControlWorkflow.ActivityId,
                Identity = "operator",
                Reason = "investigating",
            });
            Assert.Equal("canceled: Paused, paused: True", await handle.GetResultAsync<string>().WithTimeout("the paused activity to return"));
        });
    }

    [Fact]
    public async Task PauseActivity_FailingBetweenRetries_StaysUnscheduledUntilUnpausedWithResetAttempts()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var workflowId = ServerFixture.NewWorkflowId();
        using var worker = NewWorker(taskQueue);
        await worker.ExecuteAsync(async () =>
        {
            var handle = await Client.StartWorkflowAsync((ActivityControlWorkflow wf) => wf.RunAsync(ActivityControlWorkflow.Mode.FailUntilAllowed, 100),
                new(workflowId, taskQueue));
            await Wait.UntilAsync(() => Task.FromResult(ActivityControlActivities.AttemptsOf(workflowId).Count), n => n >= 2, "two failed attempts");
            await Raw.PauseActivityAsync(new PauseActivityRequest
            {
                Namespace = Ns,
                Execution = new() { WorkflowId = workflowId },
                Type = nameof(ActivityControlActivities.FailUntilAllowed),
                Identity = "operator",
                Reason = "too many failures",
            });

            // A running attempt shows PAUSE_REQUESTED until it fails; then PAUSED, with nothing scheduled.
            var paused = (await Wait.UntilAsync(() => PendingOrNullAsync(handle), a => a?.State == PendingActivityState.Paused, "the activity to show PAUSED"))!;
            Assert.True(paused.Paused);
            Assert.Equal(("operator", "too many failures"), (paused.PauseInfo.Manual.Identity, paused.PauseInfo.Manual.Reason));
            Assert.Null(paused.NextAttemptScheduleTime);
            Assert.Equal("not yet", paused.LastFailure.Message);
            Assert.Equal(taskQueue, paused.ActivityOptions.TaskQueue.Name);
            Assert.Equal(TimeSpan.FromSeconds(30), paused.ActivityOptions.StartToCloseTimeout.ToTimeSpan());
            Assert.Equal(TimeSpan.FromMilliseconds(100), paused.ActivityOptions.RetryPolicy.InitialInterval.ToTimeSpan());
            var attempts = ActivityControlActivities.AttemptsOf(workflowId).Count;

            // Unpaused, its retries (100 ms apart) would have run several times in this second.
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.Equal(attempts, ActivityControlActivities.AttemptsOf(workflowId).Count);
            Assert.Equal(PendingActivityState.Paused, (await PendingAsync(handle)).State);

            ActivityControlActivities.Allow(workflowId);
            await Raw.UnpauseActivityAsync(new UnpauseActivityRequest
            {
                Namespace = Ns,
                Execution = new() { WorkflowId = workflowId },
                Id = ActivityControlWorkflow.ActivityId,
                ResetAttempts = true,
            });
            Assert.Equal("ok on attempt 1", await handle.GetResultAsync<string>().WithTimeout("the unpaused activity to succeed"));
        });
    }

    [Fact]
    public async Task ResetActivity_WaitingForALongRetry_RunsAgainAtAttemptOneAtOnce()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var workflowId = ServerFixture.NewWorkflowId();
        using var worker = NewWorker(taskQueue);
        await worker.ExecuteAsync(async () =>
        {
            var handle = await Client.StartWorkflowAsync((ActivityControlWorkflow wf) => wf.RunAsync(ActivityControlWorkflow.Mode.FailUntilAllowed, 600_000),
                new(workflowId, taskQueue));
            var waiting = (await Wait.UntilAsync(() => PendingOrNullAsync(handle), a => a?.Attempt == 2, "the activity to wait for its second attempt"))!;
            Assert.NotNull(waiting.NextAttemptScheduleTime);
            ActivityControlActivities.Allow(workflowId);
            await Raw.ResetActivityAsync(new ResetActivityRequest
            {
                Namespace = Ns,
                Execution = new() { WorkflowId = workflowId, RunId = handle.ResultRunId ?? "" },
                Id = ActivityControlWorkflow.ActivityId,
            });
            Assert.Equal("ok on attempt 1", await handle.GetResultAsync<string>().WithTimeout("the reset activity to succeed"));
            Assert.Equal([1, 1], ActivityControlActivities.AttemptsOf(workflowId));
        });
    }

    [Fact]
    public async Task UpdateActivityOptions_RetryWaiting_NextAttemptFollowsTheNewInterval()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var workflowId = ServerFixture.NewWorkflowId();
        using var worker = NewWorker(taskQueue);
        await worker.ExecuteAsync(async () =>
        {
            var handle = await Client.StartWorkflowAsync((ActivityControlWorkflow wf) => wf.RunAsync(ActivityControlWorkflow.Mode.FailUntilAllowed, 600_000),
                new(workflowId, taskQueue));
            await Wait.UntilAsync(() => PendingOrNullAsync(handle), a => a?.Attempt == 2, "the activity to wait for its second attempt");
            ActivityControlActivities.Allow(workflowId);
            var response = await Raw.UpdateActivityOptionsAsync(new UpdateActivityOptionsRequest
            {
                Namespace = Ns,
                Execution = new() { WorkflowId = workflowId },
                Type = nameof(ActivityControlActivities.FailUntilAllowed),
                ActivityOptions = new() { RetryPolicy = new() { InitialInterval = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(100)) } },
                UpdateMask = new FieldMask { Paths = { "retry_policy.initial_interval" } },
            });
            Assert.Equal(TimeSpan.FromMilliseconds(100), response.ActivityOptions.RetryPolicy.InitialInterval.ToTimeSpan());
            Assert.Equal(TimeSpan.FromSeconds(30), response.ActivityOptions.StartToCloseTimeout.ToTimeSpan());
            Assert.Equal("ok on attempt 2", await handle.GetResultAsync<string>().WithTimeout("the attempt after the new interval"));
        });
    }

    [Fact]
    public async Task UpdateActivityOptions_RunningAttempt_NewStartToCloseAndMaximumAttemptsApply()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var workflowId = ServerFixture.NewWorkflowId();
        using var worker = NewWorker(taskQueue);
        await worker.ExecuteAsync(async () =>
        {
            var handle = await Client.StartWorkflowAsync((ActivityControlWorkflow wf) => wf.RunAsync(ActivityControlWorkflow.Mode.Hang, 100),
                new(workflowId, taskQueue));
            await ActivityControlActivities.Started(workflowId).Task.WithTimeout("the activity to start");
            await Raw.UpdateActivityOptionsAsync(new UpdateActivityOptionsRequest
            {
                Namespace = Ns,
                Execution = new() { WorkflowId = workflowId },
                Id = ActivityControlWorkflow.ActivityId,
                ActivityOptions = new()
                {
                    StartToCloseTimeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(1)),
                    RetryPolicy = new() { MaximumAttempts = 1 },
                },
                UpdateMask = new FieldMask { Paths = { "startToCloseTimeout", "retryPolicy.maximumAttempts" } },
            });
            var described = await PendingAsync(handle);
            Assert.Equal(TimeSpan.FromSeconds(1), described.ActivityOptions.StartToCloseTimeout.ToTimeSpan());
            Assert.Equal(1, described.ActivityOptions.RetryPolicy.MaximumAttempts);

            var failed = await Assert.ThrowsAsync<WorkflowFailedException>(() => handle.GetResultAsync<string>()).WithTimeout("the shortened attempt to time out");
            var activity = Assert.IsType<ActivityFailureException>(failed.InnerException);
            Assert.Equal(RetryState.MaximumAttemptsReached, activity.RetryState);
            Assert.Equal(TimeoutType.StartToClose, Assert.IsType<TimeoutFailureException>(activity.InnerException).TimeoutType);
        });
    }

    [Fact]
    public async Task ActivityControls_BadInput_AnswerAsTemporal()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var workflowId = ServerFixture.NewWorkflowId();
        using var worker = NewWorker(taskQueue);
        await worker.ExecuteAsync(async () =>
        {
            var handle = await Client.StartWorkflowAsync((ActivityControlWorkflow wf) => wf.RunAsync(ActivityControlWorkflow.Mode.FailUntilAllowed, 600_000),
                new(workflowId, taskQueue));
            await Wait.UntilAsync(() => PendingOrNullAsync(handle), a => a?.Attempt == 2, "the activity to wait for a retry");
            var execution = new Temporalio.Api.Common.V1.WorkflowExecution { WorkflowId = workflowId };

            await AssertFailsAsync(RpcException.StatusCode.NotFound, PendingActivityNotFound,
                () => Raw.PauseActivityAsync(new() { Namespace = Ns, Execution = execution, Id = "no-such-activity" }));
            await AssertFailsAsync(RpcException.StatusCode.NotFound, PendingActivityNotFound,
                () => Raw.ResetActivityAsync(new() { Namespace = Ns, Execution = execution, Type = "NoSuchType" }));
            await AssertFailsAsync(RpcException.StatusCode.InvalidArgument, "Either Activity.Id or Activity.Type should be set on request.",
                () => Raw.UnpauseActivityAsync(new() { Namespace = Ns, Execution = execution }));
            await AssertFailsAsync(RpcException.StatusCode.InvalidArgument, "WorkflowId is not set on request.",
                () => Raw.PauseActivityAsync(new() { Namespace = Ns, Id = ActivityControlWorkflow.ActivityId }));
            await AssertFailsAsync(RpcException.StatusCode.Unimplemented, "ResetActivityRequest.match_all",
                () => Raw.ResetActivityAsync(new() { Namespace = Ns, Execution = execution, MatchAll = true }));
            await AssertFailsAsync(RpcException.StatusCode.Unimplemented, "activity_options.priority",
                () => Raw.UpdateActivityOptionsAsync(new()
                {
                    Namespace = Ns,
                    Execution = execution,
                    Id = ActivityControlWorkflow.ActivityId,
                    ActivityOptions = new() { Priority = new() { PriorityKey = 1 } },
                    UpdateMask = new FieldMask { Paths = { "priority" } },
                }));
            await AssertFailsAsync(RpcException.StatusCode.InvalidArgument, "\"no_such_option\"",
                () => Raw.UpdateActivityOptionsAsync(new()
                {
                    Namespace = Ns,
                    Execution = execution,
                    Id = ActivityControlWorkflow.ActivityId,
                    ActivityOptions = new(),
                    UpdateMask = new FieldMask { Paths = { "no_such_option" } },
                }));
            await AssertFailsAsync(RpcException.StatusCode.InvalidArgument, "Both UpdateMask and RestoreOriginal are provided",
                () => Raw.UpdateActivityOptionsAsync(new()
                {
                    Namespace = Ns,
                    Execution = execution,
                    Id = ActivityControlWorkflow.ActivityId,
                    RestoreOriginal = true,
                    UpdateMask = new FieldMask { Paths = { "heartbeat_timeout" } },
                }));
            await AssertFailsAsync(RpcException.StatusCode.InvalidArgument, "A valid StartToClose or ScheduleToCloseTimeout is not set",
                () => Raw.UpdateActivityOptionsAsync(new()
                {
                    Namespace = Ns,
                    Execution = execution,
                    Id = ActivityControlWorkflow.ActivityId,
                    ActivityOptions = new(),
                    UpdateMask = new FieldMask { Paths = { "start_to_close_timeout", "schedule_to_close_timeout" } },
                }));
            // Unsetting an override the run does not have changes nothing (the versioning tests cover setting one).
            var unset = await Raw.UpdateWorkflowExecutionOptionsAsync(new()
            {
                Namespace = Ns,
                WorkflowExecution = execution,
                WorkflowExecutionOptions = new(),
                UpdateMask = new FieldMask { Paths = { "versioning_override" } },
            });
            Assert.Null(unset.WorkflowExecutionOptions.VersioningOverride);
            await AssertFailsAsync(RpcException.StatusCode.InvalidArgument, "invalid path \"priority\"",
                () => Raw.UpdateWorkflowExecutionOptionsAsync(new()
                {
                    Namespace = Ns,
                    WorkflowExecution = execution,
                    WorkflowExecutionOptions = new(),
                    UpdateMask = new FieldMask { Paths = { "priority" } },
                }));
            await AssertFailsAsync(RpcException.StatusCode.InvalidArgument, "UpdateMask is required",
                () => Raw.UpdateWorkflowExecutionOptionsAsync(new() { Namespace = Ns, WorkflowExecution = execution, WorkflowExecutionOptions = new() }));
            var unchanged = await Raw.UpdateWorkflowExecutionOptionsAsync(new()
            {
                Namespace = Ns,
                WorkflowExecution = execution,
                WorkflowExecutionOptions = new(),
                UpdateMask = new FieldMask(),
            });
            Assert.Null(unchanged.WorkflowExecutionOptions.VersioningOverride);

            // Nothing above changed the activity.
            var pending = await PendingAsync(handle);
            Assert.Equal((PendingActivityState.Scheduled, false, 2), (pending.State, pending.Paused, pending.Attempt));

            await handle.TerminateAsync("done");
            await AssertFailsAsync(RpcException.StatusCode.NotFound, "workflow execution already completed",
                () => Raw.PauseActivityAsync(new() { Namespace = Ns, Execution = execution, Id = ActivityControlWorkflow.ActivityId }));
            await AssertFailsAsync(RpcException.StatusCode.NotFound, "workflow execution already completed",
                () => Raw.UnpauseActivityAsync(new() { Namespace = Ns, Execution = execution, Id = ActivityControlWorkflow.ActivityId }));
            await AssertFailsAsync(RpcException.StatusCode.NotFound, "workflow execution already completed",
                () => Raw.UpdateWorkflowExecutionOptionsAsync(new()
                {
                    Namespace = Ns,
                    WorkflowExecution = execution,
                    WorkflowExecutionOptions = new(),
                    UpdateMask = new FieldMask(),
                }));
        });
    }

    private static async Task AssertFailsAsync(RpcException.StatusCode code, string message, Func<Task> call)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(code, ex.Code);
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnpauseActivitiesBatch_PausedActivitiesOfTheMatchingWorkflows_RunAgainAtAttemptOne()
    {
        // Its own namespace: a namespace runs one batch at a time.
        var client = await Batch.BatchTestKit.NamespaceClientAsync(Client, fixture.Server.GrpcAddress);
        var taskQueue = ServerFixture.NewTaskQueue();
        using var worker = new TemporalWorker(client, new TemporalWorkerOptions(taskQueue)
            .AddWorkflow<ActivityControlWorkflow>()
            .AddAllActivities(new ActivityControlActivities()));
        await worker.ExecuteAsync(async () =>
        {
            var handles = new List<WorkflowHandle>();
            for (var i = 0; i < 3; i++)
            {
                var handle = await client.StartWorkflowAsync((ActivityControlWorkflow wf) => wf.RunAsync(ActivityControlWorkflow.Mode.FailUntilAllowed, 600_000),
                    new(ServerFixture.NewWorkflowId(), taskQueue));
                await Wait.UntilAsync(() => PendingOrNullAsync(handle), a => a?.Attempt == 2, "the activity to wait for its second attempt");
                await client.WorkflowService.PauseActivityAsync(new PauseActivityRequest
                {
                    Namespace = client.Options.Namespace,
                    Execution = new() { WorkflowId = handle.Id },
                    Id = ActivityControlWorkflow.ActivityId,
                });
                Assert.Equal(PendingActivityState.Paused, (await PendingAsync(handle)).State);
                ActivityControlActivities.Allow(handle.Id);
                handles.Add(handle);
            }
            var query = $"TaskQueue = '{taskQueue}'";
            await Batch.BatchTestKit.WaitListedAsync(client, query, 3);
            var jobId = ServerFixture.NewWorkflowId("job-unpause");

            await client.WorkflowService.StartBatchOperationAsync(Batch.BatchTestKit.Start(client, jobId, query,
                r => r.UnpauseActivitiesOperation = new() { Type = nameof(ActivityControlActivities.FailUntilAllowed), ResetAttempts = true }));

            var done = await Batch.BatchTestKit.WaitClosedAsync(client, jobId);
            Assert.Equal((BatchOperationState.Completed, 3L, 3L, 0L),
                (done.State, done.TotalOperationCount, done.CompleteOperationCount, done.FailureOperationCount));
            foreach (var handle in handles)
            {
                // Paused, nothing would run it for 10 minutes: the batch's unpause ran it at once, from attempt 1.
                Assert.Equal("ok on attempt 1", await handle.GetResultAsync<string>().WithTimeout("the unpaused activity to succeed"));
            }
        });
    }

    private static async Task<Temporalio.Api.Workflow.V1.PendingActivityInfo> PendingAsync(WorkflowHandle handle) =>
        Assert.Single((await handle.DescribeRawAsync()).PendingActivities);

    /// <summary>The one pending activity, or null before the workflow scheduled it.</summary>
    private static async Task<Temporalio.Api.Workflow.V1.PendingActivityInfo?> PendingOrNullAsync(WorkflowHandle handle) =>
        (await handle.DescribeRawAsync()).PendingActivities.SingleOrDefault();

    private TemporalWorker NewWorker(string taskQueue) =>
        new(Client, new TemporalWorkerOptions(taskQueue)
            .AddWorkflow<ActivityControlWorkflow>()
            .AddAllActivities(new ActivityControlActivities()));
}

[Workflow]
public sealed class ActivityControlWorkflow
{
    public const string ActivityId = "controlled";

    public enum Mode
    {
        Heartbeat,
        FailUntilAllowed,
        Hang,
    }

    [WorkflowRun]
    public Task<string> RunAsync(Mode mode, int retryIntervalMs)
    {
        var options = new ActivityOptions
        {
            ActivityId = ActivityId,
            StartToCloseTimeout = TimeSpan.FromSeconds(mode == Mode.Hang ? 300 : 30),
            HeartbeatTimeout = mode == Mode.Heartbeat ? TimeSpan.FromSeconds(1) : null,
            RetryPolicy = new RetryPolicy { InitialInterval = TimeSpan.FromMilliseconds(retryIntervalMs), BackoffCoefficient = 1 },
        };
        return mode switch
        {
            Mode.Heartbeat => Workflow.ExecuteActivityAsync((ActivityControlActivities a) => a.HeartbeatUntilCanceledAsync(), options),
            Mode.FailUntilAllowed => Workflow.ExecuteActivityAsync((ActivityControlActivities a) => a.FailUntilAllowed(), options),
            _ => Workflow.ExecuteActivityAsync((ActivityControlActivities a) => a.HangAsync(), options),
        };
    }
}

public sealed class ActivityControlActivities
{
    private static readonly ConcurrentDictionary<string, TaskCompletionSource> StartedByWorkflow = new();
    private static readonly ConcurrentDictionary<string, ConcurrentQueue<int>> AttemptsByWorkflow = new();
    private static readonly ConcurrentDictionary<string, bool> Allowed = new();

    public static TaskCompletionSource Started(string workflowId) =>
        StartedByWorkflow.GetOrAdd(workflowId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>The attempt numbers the worker saw, in order.</summary>
    public static List<int> AttemptsOf(string workflowId) => [.. AttemptsByWorkflow.GetOrAdd(workflowId, _ => new())];

    public static void Allow(string workflowId) => Allowed[workflowId] = true;

    [Activity]
    public async Task<string> HeartbeatUntilCanceledAsync()
    {
        var ctx = ActivityExecutionContext.Current;
        Started(ctx.Info.WorkflowId!).TrySetResult();
        while (!ctx.CancellationToken.IsCancellationRequested)
        {
            ctx.Heartbeat();
            await Task.Delay(100, CancellationToken.None);
        }
        return $"canceled: {ctx.CancelReason}, paused: {ctx.CancellationDetails?.IsPaused}";
    }

    [Activity]
    public string FailUntilAllowed()
    {
        var info = ActivityExecutionContext.Current.Info;
        AttemptsByWorkflow.GetOrAdd(info.WorkflowId!, _ => new()).Enqueue(info.Attempt);
        return Allowed.ContainsKey(info.WorkflowId!) ? $"ok on attempt {info.Attempt}" : throw new ApplicationFailureException("not yet");
    }

    [Activity]
    public async Task<string> HangAsync()
    {
        var ctx = ActivityExecutionContext.Current;
        Started(ctx.Info.WorkflowId!).TrySetResult();
        await Task.Delay(Timeout.Infinite, ctx.CancellationToken);
        return "unreachable";
    }
}
