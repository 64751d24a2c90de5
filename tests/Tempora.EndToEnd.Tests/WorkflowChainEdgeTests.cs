using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Client;
using Temporalio.Common;
using Temporalio.Converters;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Temporalio.Workflows;

namespace Tempora.EndToEnd.Tests;

/// <summary>Run chains meeting timeouts: execution timeout across continue-as-new, run timeout with retries, failing cron runs.</summary>
[Collection(ServerCollection.Name)]
public sealed class WorkflowChainEdgeTests(ServerFixture fixture)
{
    private TemporalClient Client => fixture.Client;

    [Fact]
    public async Task ExecutionTimeout_ContinueAsNewChain_WholeChainTimesOut()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var workflowId = ServerFixture.NewWorkflowId();
        using var worker = NewWorker(taskQueue);
        var options = new WorkflowOptions(workflowId, taskQueue) { ExecutionTimeout = TimeSpan.FromSeconds(2) };

        var (handle, ex) = await worker.ExecuteAsync(async () =>
        {
            var h = await Client.StartWorkflowAsync((ContinueForeverWorkflow wf) => wf.RunAsync(0), options);
            var e = await Assert.ThrowsAsync<WorkflowFailedException>(() => h.GetResultAsync().WithTimeout("chain to hit its execution timeout"));
            return (h, e);
        });

        Assert.IsType<TimeoutFailureException>(ex.InnerException);
        var latest = await Client.GetWorkflowHandle(workflowId).DescribeAsync();
        Assert.NotEqual(handle.ResultRunId, latest.RunId);
        Assert.Equal(WorkflowExecutionStatus.TimedOut, latest.Status);
        var firstStarted = (await Client.GetWorkflowHandle(workflowId, runId: handle.ResultRunId).EventsAsync())[0].WorkflowExecutionStartedEventAttributes;
        var lastStarted = (await Client.GetWorkflowHandle(workflowId, runId: latest.RunId).EventsAsync())[0].WorkflowExecutionStartedEventAttributes;
        Assert.NotNull(firstStarted.WorkflowExecutionExpirationTime);
        Assert.Equal(firstStarted.WorkflowExecutionExpirationTime, lastStarted.WorkflowExecutionExpirationTime);
        Assert.Equal(TimeSpan.FromSeconds(2), lastStarted.WorkflowExecutionTimeout?.ToTimeSpan());
    }

    [Fact]
    public async Task ContinueAsNew_RunAndTaskTimeoutsNotSetOnCommand_InheritedFromPreviousRun()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var workflowId = ServerFixture.NewWorkflowId();
        using var worker = NewWorker(taskQueue);
        var options = new WorkflowOptions(workflowId, taskQueue) { RunTimeout = TimeSpan.FromSeconds(30), TaskTimeout = TimeSpan.FromSeconds(7) };

        var handle = await worker.ExecuteAsync(async () =>
        {
            var h = await Client.StartWorkflowAsync((CountdownWorkflow wf) => wf.RunAsync(1), options);
            await h.GetResultAsync().WithTimeout("countdown chain");
            return h;
        });

        var lastStarted = (await Client.GetWorkflowHandle(workflowId).EventsAsync())[0].WorkflowExecutionStartedEventAttributes;
        Assert.Equal(handle.ResultRunId, lastStarted.ContinuedExecutionRunId);
        Assert.Equal(TimeSpan.FromSeconds(30), lastStarted.WorkflowRunTimeout?.ToTimeSpan());
        Assert.Equal(TimeSpan.FromSeconds(7), lastStarted.WorkflowTaskTimeout?.ToTimeSpan());
        Assert.Equal(taskQueue, lastStarted.TaskQueue.Name);
    }

    [Fact]
    public async Task RunTimeout_WithRetryPolicy_NextAttemptStartsAndCompletes()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var workflowId = ServerFixture.NewWorkflowId();
        using var worker = NewWorker(taskQueue);
        var options = new WorkflowOptions(workflowId, taskQueue)
        {
            // Long enough for the second attempt to finish inside its own run timeout on a loaded machine (at 1 s a
            // busy PostgreSQL pass once timed the second attempt out too).
            RunTimeout = TimeSpan.FromSeconds(3),
            RetryPolicy = new RetryPolicy { InitialInterval = TimeSpan.FromMilliseconds(100), MaximumAttempts = 2 },
        };

        var (handle, result) = await worker.ExecuteAsync(async () =>
        {
            var h = await Client.StartWorkflowAsync((StuckOnFirstAttemptWorkflow wf) => wf.RunAsync(), options);
            return (h, await h.GetResultAsync().WithTimeout("second attempt after a run timeout"));
        });

        Assert.Equal(2, result);
        var first = Client.GetWorkflowHandle(workflowId, runId: handle.ResultRunId);
        Assert.Equal(WorkflowExecutionStatus.TimedOut, (await first.DescribeAsync()).Status);
        var timedOut = (await first.EventsAsync())[^1].WorkflowExecutionTimedOutEventAttributes;
        Assert.NotNull(timedOut);
        Assert.False(string.IsNullOrEmpty(timedOut.NewExecutionRunId), "a timed-out run with retries left should name the next run");
        Assert.Equal(RetryState.InProgress, timedOut.RetryState);
        var second = (await Client.GetWorkflowHandle(workflowId, runId: timedOut.NewExecutionRunId).EventsAsync())[0].WorkflowExecutionStartedEventAttributes;
        Assert.Equal(ContinueAsNewInitiator.Retry, second.Initiator);
        Assert.Equal(2, second.Attempt);
    }

    [Fact]
    public async Task CronSchedule_RunFails_NextRunStartsWithContinuedFailure()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var workflowId = ServerFixture.NewWorkflowId("cron");
        using var worker = NewWorker(taskQueue);
        var options = new WorkflowOptions(workflowId, taskQueue) { CronSchedule = "@every 1s" };

        var (firstEvents, secondEvents) = await worker.ExecuteAsync(async () =>
        {
            var h = await Client.StartWorkflowAsync((CronFailsFirstWorkflow wf) => wf.RunAsync(), options);
            var first = await WaitForCloseAsync(workflowId, h.ResultRunId!);
            var nextRunId = first[^1].WorkflowExecutionFailedEventAttributes?.NewExecutionRunId ?? string.Empty;
            Assert.False(string.IsNullOrEmpty(nextRunId), $"a failed cron run should name the next run; last event {first[^1].EventType}");
            var second = await WaitForCloseAsync(workflowId, nextRunId);
            await Client.GetWorkflowHandle(workflowId).TerminateAsync("cron test done");
            return (first, second);
        });

        Assert.Equal(EventType.WorkflowExecutionFailed, firstEvents[^1].EventType);
        var secondStarted = secondEvents[0].WorkflowExecutionStartedEventAttributes;
        Assert.Equal(ContinueAsNewInitiator.CronSchedule, secondStarted.Initiator);
        Assert.Equal("cron run fails", secondStarted.ContinuedFailure?.Message);
        Assert.Equal(EventType.WorkflowExecutionCompleted, secondEvents[^1].EventType);
        var result = secondEvents[^1].WorkflowExecutionCompletedEventAttributes.Result.Payloads_[0];
        Assert.Equal("after failure: cron run fails", DataConverter.Default.PayloadConverter.ToValue<string>(result));
    }

    private Task<IReadOnlyList<HistoryEvent>> WaitForCloseAsync(string workflowId, string runId) =>
        Wait.UntilAsync(
            () => Client.GetWorkflowHandle(workflowId, runId: runId).EventsAsync(),
            events => events.Count > 0 && events[^1].EventType is EventType.WorkflowExecutionCompleted or EventType.WorkflowExecutionFailed,
            $"cron run {runId} to close",
            TimeSpan.FromSeconds(5));

    private TemporalWorker NewWorker(string taskQueue) =>
        new(Client, new TemporalWorkerOptions(taskQueue)
            .AddWorkflow<ContinueForeverWorkflow>()
            .AddWorkflow<CountdownWorkflow>()
            .AddWorkflow<StuckOnFirstAttemptWorkflow>()
            .AddWorkflow<CronFailsFirstWorkflow>());
}

/// <summary>Sleeps briefly and continues as new, forever.</summary>
[Workflow]
public sealed class ContinueForeverWorkflow
{
    [WorkflowRun]
    public async Task RunAsync(int generation)
    {
        await Workflow.DelayAsync(TimeSpan.FromMilliseconds(300));
        throw Workflow.CreateContinueAsNewException((ContinueForeverWorkflow wf) => wf.RunAsync(generation + 1));
    }
}

/// <summary>Waits forever on attempt 1; returns the attempt number on later attempts.</summary>
[Workflow]
public sealed class StuckOnFirstAttemptWorkflow
{
    [WorkflowRun]
    public async Task<int> RunAsync()
    {
        if (Workflow.Info.Attempt == 1)
        {
            await Workflow.WaitConditionAsync(() => false);
        }

        return Workflow.Info.Attempt;
    }
}

/// <summary>Fails unless it continues a failed cron run; then reports that failure.</summary>
[Workflow]
public sealed class CronFailsFirstWorkflow
{
    [WorkflowRun]
    public Task<string> RunAsync() => Workflow.Info.LastFailure is { } previous
        ? Task.FromResult($"after failure: {previous.Message}")
        : throw new ApplicationFailureException("cron run fails");
}
