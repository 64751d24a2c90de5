using System.Collections.Concurrent;
using Temporalio.Activities;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Temporalio.Workflows;

namespace Tempora.EndToEnd.Tests;

[Collection(ServerCollection.Name)]
public sealed class ActivityTests(ServerFixture fixture)
{
    private TemporalClient Client => fixture.Client;

    [Fact]
    public async Task ExecuteActivity_HelloWorld_ReturnsActivityResult()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        using var worker = NewWorker(taskQueue);

        var result = await worker.ExecuteAsync(() =>
            Client.ExecuteWorkflowAsync(
                (HelloWorkflow wf) => wf.RunAsync("Temporal"),
                new(ServerFixture.NewWorkflowId(), taskQueue)).WithTimeout("hello workflow result"));

        Assert.Equal("Hello, Temporal!", result);
    }

    [Fact]
    public async Task ExecuteActivity_FailsTwiceThenSucceeds_ReturnsThirdAttempt()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        using var worker = NewWorker(taskQueue);

        var result = await worker.ExecuteAsync(() =>
            Client.ExecuteWorkflowAsync(
                (RetryingActivityWorkflow wf) => wf.RunAsync(RetryingActivityWorkflow.Mode.FailTwice),
                new(ServerFixture.NewWorkflowId(), taskQueue)).WithTimeout("retrying activity workflow"));

        Assert.Equal("succeeded on attempt 3", result);
    }

    [Fact]
    public async Task ExecuteActivity_NonRetryableApplicationFailure_FailsWorkflowAfterOneAttempt()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var workflowId = ServerFixture.NewWorkflowId();
        using var worker = NewWorker(taskQueue);

        var ex = await worker.ExecuteAsync(() =>
            Assert.ThrowsAsync<WorkflowFailedException>(() =>
                Client.ExecuteWorkflowAsync(
                    (RetryingActivityWorkflow wf) => wf.RunAsync(RetryingActivityWorkflow.Mode.NonRetryableFlag),
                    new(workflowId, taskQueue))).WithTimeout("non-retryable activity workflow to fail"));

        var activityFailure = Assert.IsType<ActivityFailureException>(ex.InnerException);
        Assert.Equal(RetryState.NonRetryableFailure, activityFailure.RetryState);
        var appFailure = Assert.IsType<ApplicationFailureException>(activityFailure.InnerException);
        Assert.Equal("fatal on attempt 1", appFailure.Message);
        Assert.True(appFailure.NonRetryable);
        Assert.Equal(1, RetryActivities.AttemptsFor(workflowId));
    }

    [Fact]
    public async Task ExecuteActivity_ErrorTypeListedAsNonRetryable_FailsWorkflowAfterOneAttempt()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var workflowId = ServerFixture.NewWorkflowId();
        using var worker = NewWorker(taskQueue);

        var ex = await worker.ExecuteAsync(() =>
            Assert.ThrowsAsync<WorkflowFailedException>(() =>
                Client.ExecuteWorkflowAsync(
                    (RetryingActivityWorkflow wf) => wf.RunAsync(RetryingActivityWorkflow.Mode.NonRetryableType),
                    new(workflowId, taskQueue))).WithTimeout("non-retryable error type workflow to fail"));

        var activityFailure = Assert.IsType<ActivityFailureException>(ex.InnerException);
        Assert.Equal(RetryState.NonRetryableFailure, activityFailure.RetryState);
        var appFailure = Assert.IsType<ApplicationFailureException>(activityFailure.InnerException);
        Assert.Equal(RetryActivities.BusinessErrorType, appFailure.ErrorType);
        Assert.Equal(1, RetryActivities.AttemptsFor(workflowId));
    }

    [Fact]
    public async Task ExecuteActivity_HeartbeatThenFail_RetrySeesHeartbeatDetails()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        using var worker = NewWorker(taskQueue);

        var result = await worker.ExecuteAsync(() =>
            Client.ExecuteWorkflowAsync(
                (RetryingActivityWorkflow wf) => wf.RunAsync(RetryingActivityWorkflow.Mode.HeartbeatDetails),
                new(ServerFixture.NewWorkflowId(), taskQueue)).WithTimeout("heartbeat details workflow"));

        Assert.Equal("attempt 2 saw checkpoint-42", result);
    }

    [Fact]
    public async Task CancelActivity_HeartbeatingActivity_ActivityObservesAndWorkflowSeesCanceled()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var workflowId = ServerFixture.NewWorkflowId();
        using var worker = NewWorker(taskQueue);

        var result = await worker.ExecuteAsync(async () =>
        {
            var handle = await Client.StartWorkflowAsync(
                (CancelActivityWorkflow wf) => wf.RunAsync(),
                new(workflowId, taskQueue));

            await Wait.UntilAsync(
                () => handle.DescribeRawAsync(),
                d => d.PendingActivities.Any(a => a.State == PendingActivityState.Started),
                "the heartbeating activity to be started");

            await handle.SignalAsync(wf => wf.CancelActivityAsync());
            return await handle.GetResultAsync().WithTimeout("cancel-activity workflow result");
        });

        Assert.Equal("ActivityFailureException/CanceledFailureException", result);
        Assert.True(CancellableActivities.ObservedCancellation.ContainsKey(workflowId), "activity should have observed cancellation");
    }

    [Fact]
    public async Task CompleteAsyncActivity_ByTaskToken_WorkflowGetsResult()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var workflowId = ServerFixture.NewWorkflowId();
        var token = AsyncActivities.WaitForToken(workflowId);
        using var worker = NewWorker(taskQueue);

        var result = await worker.ExecuteAsync(async () =>
        {
            var handle = await Client.StartWorkflowAsync((AsyncCompletionWorkflow wf) => wf.RunAsync(), new(workflowId, taskQueue));
            var taskToken = await token.WithTimeout("the async activity to publish its task token");

            await Client.GetAsyncActivityHandle(taskToken).CompleteAsync("completed by token");

            return await handle.GetResultAsync().WithTimeout("async completion workflow result");
        });

        Assert.Equal("activity said: completed by token", result);
    }

    [Fact]
    public async Task CompleteAsyncActivity_ById_WorkflowGetsResult()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var workflowId = ServerFixture.NewWorkflowId();
        var token = AsyncActivities.WaitForToken(workflowId);
        using var worker = NewWorker(taskQueue);

        var result = await worker.ExecuteAsync(async () =>
        {
            var handle = await Client.StartWorkflowAsync((AsyncCompletionWorkflow wf) => wf.RunAsync(), new(workflowId, taskQueue));
            await token.WithTimeout("the async activity to start");

            await Client.GetAsyncActivityHandle(workflowId, handle.ResultRunId!, AsyncCompletionWorkflow.ActivityId)
                .CompleteAsync("completed by id");

            return await handle.GetResultAsync().WithTimeout("async completion workflow result");
        });

        Assert.Equal("activity said: completed by id", result);
    }

    private TemporalWorker NewWorker(string taskQueue) =>
        new(Client, new TemporalWorkerOptions(taskQueue)
            .AddWorkflow<HelloWorkflow>()
            .AddWorkflow<RetryingActivityWorkflow>()
            .AddWorkflow<CancelActivityWorkflow>()
            .AddWorkflow<AsyncCompletionWorkflow>()
            .AddAllActivities(new GreetingActivities())
            .AddAllActivities(new RetryActivities())
            .AddAllActivities(new CancellableActivities())
            .AddAllActivities(new AsyncActivities()));
}

[Workflow]
public sealed class RetryingActivityWorkflow
{
    public enum Mode
    {
        FailTwice,
        NonRetryableFlag,
        NonRetryableType,
        HeartbeatDetails,
    }

    [WorkflowRun]
    public Task<string> RunAsync(Mode mode)
    {
        var fastRetry = new RetryPolicy
        {
            InitialInterval = TimeSpan.FromMilliseconds(100),
            BackoffCoefficient = 1,
            MaximumAttempts = 5,
        };
        return mode switch
        {
            Mode.FailTwice => Workflow.ExecuteActivityAsync(
                (RetryActivities a) => a.FailTwice(),
                new ActivityOptions { StartToCloseTimeout = TimeSpan.FromSeconds(10), RetryPolicy = fastRetry }),
            Mode.NonRetryableFlag => Workflow.ExecuteActivityAsync(
                (RetryActivities a) => a.FailNonRetryable(),
                new ActivityOptions { StartToCloseTimeout = TimeSpan.FromSeconds(10), RetryPolicy = fastRetry }),
            Mode.NonRetryableType => Workflow.ExecuteActivityAsync(
                (RetryActivities a) => a.FailWithBusinessError(),
                new ActivityOptions
                {
                    StartToCloseTimeout = TimeSpan.FromSeconds(10),
                    RetryPolicy = new RetryPolicy
                    {
                        InitialInterval = TimeSpan.FromMilliseconds(100),
                        MaximumAttempts = 5,
                        NonRetryableErrorTypes = [RetryActivities.BusinessErrorType],
                    },
                }),
            Mode.HeartbeatDetails => Workflow.ExecuteActivityAsync(
                (RetryActivities a) => a.HeartbeatThenFailAsync(),
                new ActivityOptions
                {
                    StartToCloseTimeout = TimeSpan.FromSeconds(10),
                    HeartbeatTimeout = TimeSpan.FromSeconds(5),
                    RetryPolicy = fastRetry,
                }),
            _ => throw new ArgumentOutOfRangeException(nameof(mode)),
        };
    }
}

public sealed class RetryActivities
{
    public const string BusinessErrorType = "BusinessError";

    private static readonly ConcurrentDictionary<string, int> Attempts = new();

    public static int AttemptsFor(string workflowId) => Attempts.TryGetValue(workflowId, out var n) ? n : 0;

    [Activity]
    public string FailTwice()
    {
        var attempt = ActivityExecutionContext.Current.Info.Attempt;
        if (attempt < 3)
        {
            throw new ApplicationFailureException($"transient failure on attempt {attempt}");
        }

        return $"succeeded on attempt {attempt}";
    }

    [Activity]
    public string FailNonRetryable()
    {
        var info = ActivityExecutionContext.Current.Info;
        Attempts.AddOrUpdate(info.WorkflowId!, 1, (_, n) => n + 1);
        throw new ApplicationFailureException($"fatal on attempt {info.Attempt}", errorType: "Fatal", nonRetryable: true);
    }

    [Activity]
    public string FailWithBusinessError()
    {
        var info = ActivityExecutionContext.Current.Info;
        Attempts.AddOrUpdate(info.WorkflowId!, 1, (_, n) => n + 1);
        throw new ApplicationFailureException($"business error on attempt {info.Attempt}", errorType: BusinessErrorType);
    }

    [Activity]
    public async Task<string> HeartbeatThenFailAsync()
    {
        var ctx = ActivityExecutionContext.Current;
        if (ctx.Info.Attempt == 1)
        {
            ctx.Heartbeat("checkpoint-42");
            throw new ApplicationFailureException("first attempt fails after heartbeating");
        }

        var seen = ctx.Info.HeartbeatDetails.Count > 0
            ? await ctx.Info.HeartbeatDetailAtAsync<string>(0)
            : "<no details>";
        return $"attempt {ctx.Info.Attempt} saw {seen}";
    }
}

[Workflow]
public sealed class CancelActivityWorkflow
{
    private bool _cancelRequested;

    [WorkflowRun]
    public async Task<string> RunAsync()
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Workflow.CancellationToken);
        var activity = Workflow.ExecuteActivityAsync(
            (CancellableActivities a) => a.HeartbeatUntilCanceledAsync(),
            new ActivityOptions
            {
                StartToCloseTimeout = TimeSpan.FromSeconds(30),
                // Generous: the SDK sends heartbeats at most every 0.8 × this, which leaves 0.2 × this of slack
                // before a heartbeat timeout; a loaded machine must not turn the cancellation this test is about
                // into one (3 s, 0.6 s of slack, did under the full suite on 2 cores).
                HeartbeatTimeout = TimeSpan.FromSeconds(10),
                CancellationToken = cts.Token,
                CancellationType = ActivityCancellationType.WaitCancellationCompleted,
                RetryPolicy = new RetryPolicy { MaximumAttempts = 1 },
            });
        await Workflow.WhenAnyAsync(activity, Workflow.WaitConditionAsync(() => _cancelRequested));
        cts.Cancel();
        try
        {
            return "activity completed: " + await activity;
        }
        catch (ActivityFailureException e)
        {
            return $"{nameof(ActivityFailureException)}/{e.InnerException?.GetType().Name}";
        }
    }

    [WorkflowSignal]
    public Task CancelActivityAsync()
    {
        _cancelRequested = true;
        return Task.CompletedTask;
    }
}

public sealed class CancellableActivities
{
    public static readonly ConcurrentDictionary<string, bool> ObservedCancellation = new();

    [Activity]
    public async Task<string> HeartbeatUntilCanceledAsync()
    {
        var ctx = ActivityExecutionContext.Current;
        try
        {
            for (var i = 0; i < 300; i++)
            {
                ctx.Heartbeat(i);
                await Task.Delay(TimeSpan.FromMilliseconds(100), ctx.CancellationToken);
            }
        }
        catch (OperationCanceledException) when (ctx.CancelReason == ActivityCancelReason.CancelRequested)
        {
            ObservedCancellation[ctx.Info.WorkflowId!] = true;
            throw;
        }

        return "never canceled";
    }
}

[Workflow]
public sealed class AsyncCompletionWorkflow
{
    public const string ActivityId = "async-activity";

    [WorkflowRun]
    public async Task<string> RunAsync()
    {
        var value = await Workflow.ExecuteActivityAsync(
            (AsyncActivities a) => a.CompleteLater(),
            new ActivityOptions { StartToCloseTimeout = TimeSpan.FromSeconds(30), ActivityId = ActivityId });
        return "activity said: " + value;
    }
}

public sealed class AsyncActivities
{
    private static readonly ConcurrentDictionary<string, TaskCompletionSource<byte[]>> Tokens = new();

    public static Task<byte[]> WaitForToken(string workflowId) => Slot(workflowId).Task;

    [Activity]
    public string CompleteLater()
    {
        var ctx = ActivityExecutionContext.Current;
        Slot(ctx.Info.WorkflowId!).TrySetResult(ctx.Info.TaskToken);
        throw new CompleteAsyncException();
    }

    private static TaskCompletionSource<byte[]> Slot(string workflowId) =>
        Tokens.GetOrAdd(workflowId, _ => new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously));
}
