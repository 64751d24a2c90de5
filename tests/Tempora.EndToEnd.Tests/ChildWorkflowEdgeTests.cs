using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Temporalio.Workflows;

namespace Tempora.EndToEnd.Tests;

/// <summary>Less common child workflow paths: child chains, child timeouts and terminations, close policies on other parent closes.</summary>
[Collection(ServerCollection.Name)]
public sealed class ChildWorkflowEdgeTests(ServerFixture fixture)
{
    private TemporalClient Client => fixture.Client;

    [Fact]
    public async Task ExecuteChildWorkflow_ChildContinuesAsNew_ParentGetsFinalResultOnce()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var childId = ServerFixture.NewWorkflowId("child");
        using var worker = NewWorker(taskQueue);

        var (handle, result) = await worker.ExecuteAsync(async () =>
        {
            var h = await Client.StartWorkflowAsync(
                (ParentOfCountdownChildWorkflow wf) => wf.RunAsync(childId, 2), new(ServerFixture.NewWorkflowId("parent"), taskQueue));
            return (h, await h.GetResultAsync().WithTimeout("parent of a continuing-as-new child"));
        });

        var childLatest = await Client.GetWorkflowHandle(childId).DescribeAsync();
        var lastRunStarted = (await Client.GetWorkflowHandle(childId).EventsAsync())[0].WorkflowExecutionStartedEventAttributes;
        Assert.Equal($"done; continued from {lastRunStarted.ContinuedExecutionRunId}", result);
        Assert.Equal(WorkflowExecutionStatus.Completed, childLatest.Status);
        var events = await handle.EventsAsync();
        Assert.Single(events, e => e.EventType == EventType.ChildWorkflowExecutionStarted);
        Assert.Single(events, e => e.EventType == EventType.ChildWorkflowExecutionCompleted);
        var started = events.Single(e => e.EventType == EventType.ChildWorkflowExecutionStarted).ChildWorkflowExecutionStartedEventAttributes;
        Assert.NotEqual(childLatest.RunId, started.WorkflowExecution.RunId);
        Assert.Equal(started.WorkflowExecution.RunId, lastRunStarted.FirstExecutionRunId);

        // Every run of the child chain keeps the parent.
        Assert.Equal(handle.Id, lastRunStarted.ParentWorkflowExecution?.WorkflowId);
    }

    [Fact]
    public async Task ExecuteChildWorkflow_ChildRetriedByPolicy_ParentGetsResultOfSecondAttempt()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        using var worker = NewWorker(taskQueue);

        var (handle, result) = await worker.ExecuteAsync(async () =>
        {
            var h = await Client.StartWorkflowAsync(
                (ParentOfFlakyChildWorkflow wf) => wf.RunAsync(ServerFixture.NewWorkflowId("child")), new(ServerFixture.NewWorkflowId("parent"), taskQueue));
            return (h, await h.GetResultAsync().WithTimeout("parent of a retried child"));
        });

        Assert.Equal(2, result);
        var types = (await handle.EventsAsync()).Types();
        Assert.DoesNotContain(EventType.ChildWorkflowExecutionFailed, types);
        Assert.Single(types, t => t == EventType.ChildWorkflowExecutionCompleted);
    }

    [Fact]
    public async Task ExecuteChildWorkflow_ChildTerminatedByClient_ParentSeesTerminatedCause()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var childId = ServerFixture.NewWorkflowId("child");
        using var worker = NewWorker(taskQueue);

        var (handle, result) = await worker.ExecuteAsync(async () =>
        {
            var h = await Client.StartWorkflowAsync(
                (ParentReportsChildFailureWorkflow wf) => wf.RunAsync(childId, null), new(ServerFixture.NewWorkflowId("parent"), taskQueue));
            await Wait.UntilAsync(
                () => h.DescribeRawAsync(),
                d => d.PendingChildren.Count == 1 && !string.IsNullOrEmpty(d.PendingChildren[0].RunId),
                "parent to record its child as started");
            await Client.GetWorkflowHandle(childId).TerminateAsync("child killed by test");
            return (h, await h.GetResultAsync().WithTimeout("parent of a terminated child"));
        });

        Assert.Equal($"{nameof(ChildWorkflowFailureException)} <- {nameof(TerminatedFailureException)}", result);
        Assert.Contains(EventType.ChildWorkflowExecutionTerminated, (await handle.EventsAsync()).Types());
    }

    [Fact]
    public async Task ExecuteChildWorkflow_ChildRunTimesOut_ParentSeesTimeoutCause()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        using var worker = NewWorker(taskQueue);

        var (handle, result) = await worker.ExecuteAsync(async () =>
        {
            var h = await Client.StartWorkflowAsync(
                (ParentReportsChildFailureWorkflow wf) => wf.RunAsync(ServerFixture.NewWorkflowId("child"), TimeSpan.FromSeconds(1)),
                new(ServerFixture.NewWorkflowId("parent"), taskQueue));
            return (h, await h.GetResultAsync().WithTimeout("parent of a timed-out child"));
        });

        Assert.Equal($"{nameof(ChildWorkflowFailureException)} <- {nameof(TimeoutFailureException)}", result);
        Assert.Contains(EventType.ChildWorkflowExecutionTimedOut, (await handle.EventsAsync()).Types());
    }

    [Fact]
    public async Task SignalChild_FromParentHandle_ChildCompletesWithSignalValue()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        using var worker = NewWorker(taskQueue);

        var (handle, result) = await worker.ExecuteAsync(async () =>
        {
            var h = await Client.StartWorkflowAsync(
                (ParentSignalsChildWorkflow wf) => wf.RunAsync(ServerFixture.NewWorkflowId("child")), new(ServerFixture.NewWorkflowId("parent"), taskQueue));
            return (h, await h.GetResultAsync().WithTimeout("parent that signals its child"));
        });

        Assert.Equal("child got from parent", result);
        var events = await handle.EventsAsync();
        var initiated = Assert.Single(events, e => e.EventType == EventType.SignalExternalWorkflowExecutionInitiated);
        Assert.True(initiated.SignalExternalWorkflowExecutionInitiatedEventAttributes.ChildWorkflowOnly, "a signal through a child handle is child-only");
        Assert.Contains(EventType.ExternalWorkflowExecutionSignaled, events.Types());
    }

    [Fact]
    public async Task ParentClosePolicy_ParentTerminated_ChildTerminated()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var childId = ServerFixture.NewWorkflowId("child");
        using var worker = NewWorker(taskQueue);

        var description = await worker.ExecuteAsync(async () =>
        {
            var h = await Client.StartWorkflowAsync(
                (ParentAwaitsWaitingChildWorkflow wf) => wf.RunAsync(childId), new(ServerFixture.NewWorkflowId("parent"), taskQueue));
            await Wait.UntilAsync(
                () => h.DescribeRawAsync(),
                d => d.PendingChildren.Count == 1 && !string.IsNullOrEmpty(d.PendingChildren[0].RunId),
                "parent to record its child as started");
            await h.TerminateAsync("parent killed by test");
            return await Wait.UntilAsync(
                () => Client.GetWorkflowHandle(childId).DescribeAsync(),
                d => d.Status != WorkflowExecutionStatus.Running,
                "child of a terminated parent to close");
        });

        Assert.Equal(WorkflowExecutionStatus.Terminated, description.Status);
    }

    [Fact]
    public async Task ParentClosePolicy_ParentContinuesAsNew_ChildOfOldRunTerminated()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var childId = ServerFixture.NewWorkflowId("child");
        using var worker = NewWorker(taskQueue);

        var (result, description) = await worker.ExecuteAsync(async () =>
        {
            var h = await Client.StartWorkflowAsync(
                (ParentContinuesAsNewAfterChildWorkflow wf) => wf.RunAsync(childId, false), new(ServerFixture.NewWorkflowId("parent"), taskQueue));
            var r = await h.GetResultAsync().WithTimeout("parent chain");
            var d = await Wait.UntilAsync(
                () => Client.GetWorkflowHandle(childId).DescribeAsync(),
                d => d.Status != WorkflowExecutionStatus.Running,
                "child of a parent run that continued as new to close");
            return (r, d);
        });

        Assert.Equal("second run", result);
        Assert.Equal(WorkflowExecutionStatus.Terminated, description.Status);
    }

    [Fact]
    public async Task ParentClosePolicy_ChildContinuedAsNew_LatestChildRunTerminated()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var childId = ServerFixture.NewWorkflowId("child");
        using var worker = NewWorker(taskQueue);

        var (childFirstRunId, description) = await worker.ExecuteAsync(async () =>
        {
            var h = await Client.StartWorkflowAsync(
                (ParentLeavesContinuingChildWorkflow wf) => wf.RunAsync(childId), new(ServerFixture.NewWorkflowId("parent"), taskQueue));
            var firstRunId = await h.GetResultAsync().WithTimeout("parent that leaves a continued-as-new child");
            var d = await Wait.UntilAsync(
                () => Client.GetWorkflowHandle(childId).DescribeAsync(),
                d => d.Status != WorkflowExecutionStatus.Running,
                "second run of the child to close after the parent completed");
            return (firstRunId, d);
        });

        Assert.NotEqual(childFirstRunId, description.RunId);
        Assert.Equal(WorkflowExecutionStatus.Terminated, description.Status);
    }

    private TemporalWorker NewWorker(string taskQueue) =>
        new(Client, new TemporalWorkerOptions(taskQueue)
            .AddWorkflow<ParentOfCountdownChildWorkflow>()
            .AddWorkflow<CountdownWorkflow>()
            .AddWorkflow<ParentOfFlakyChildWorkflow>()
            .AddWorkflow<FlakyChildWorkflow>()
            .AddWorkflow<ParentReportsChildFailureWorkflow>()
            .AddWorkflow<ParentSignalsChildWorkflow>()
            .AddWorkflow<ParentAwaitsWaitingChildWorkflow>()
            .AddWorkflow<ParentContinuesAsNewAfterChildWorkflow>()
            .AddWorkflow<ParentLeavesContinuingChildWorkflow>()
            .AddWorkflow<SleepAfterContinueWorkflow>()
            .AddWorkflow<WaitForFinishWorkflow>()
            .AddWorkflow<LongSleepWorkflow>());
}

/// <summary>Returns the result of a <see cref="CountdownWorkflow"/> child that continues as new.</summary>
[Workflow]
public sealed class ParentOfCountdownChildWorkflow
{
    [WorkflowRun]
    public Task<string> RunAsync(string childId, int continues) =>
        Workflow.ExecuteChildWorkflowAsync((CountdownWorkflow wf) => wf.RunAsync(continues), new() { Id = childId });
}

/// <summary>Runs a <see cref="FlakyChildWorkflow"/> child with a retry policy.</summary>
[Workflow]
public sealed class ParentOfFlakyChildWorkflow
{
    [WorkflowRun]
    public Task<int> RunAsync(string childId) =>
        Workflow.ExecuteChildWorkflowAsync(
            (FlakyChildWorkflow wf) => wf.RunAsync(),
            new() { Id = childId, RetryPolicy = new RetryPolicy { InitialInterval = TimeSpan.FromMilliseconds(100), MaximumAttempts = 3 } });
}

/// <summary>Fails on its first attempt; returns its attempt afterwards.</summary>
[Workflow]
public sealed class FlakyChildWorkflow
{
    [WorkflowRun]
    public Task<int> RunAsync() => Workflow.Info.Attempt < 2
        ? throw new ApplicationFailureException("first attempt fails")
        : Task.FromResult(Workflow.Info.Attempt);
}

/// <summary>Awaits a waiting child (with an optional run timeout) and reports the failure it ends with.</summary>
[Workflow]
public sealed class ParentReportsChildFailureWorkflow
{
    [WorkflowRun]
    public async Task<string> RunAsync(string childId, TimeSpan? runTimeout)
    {
        try
        {
            await Workflow.ExecuteChildWorkflowAsync((WaitForFinishWorkflow wf) => wf.RunAsync(), new() { Id = childId, RunTimeout = runTimeout });
            return "child completed";
        }
        catch (ChildWorkflowFailureException e)
        {
            return $"{nameof(ChildWorkflowFailureException)} <- {e.InnerException?.GetType().Name ?? "<none>"}";
        }
    }
}

/// <summary>Starts a waiting child, signals it through the child handle and returns its result.</summary>
[Workflow]
public sealed class ParentSignalsChildWorkflow
{
    [WorkflowRun]
    public async Task<string> RunAsync(string childId)
    {
        var child = await Workflow.StartChildWorkflowAsync((WaitForFinishWorkflow wf) => wf.RunAsync(), new() { Id = childId });
        await child.SignalAsync(wf => wf.FinishAsync("from parent"));
        return "child got " + await child.GetResultAsync();
    }
}

/// <summary>The first run starts a one-hour child and continues as new; the second run returns.</summary>
[Workflow]
public sealed class ParentContinuesAsNewAfterChildWorkflow
{
    [WorkflowRun]
    public async Task<string> RunAsync(string childId, bool continued)
    {
        if (continued)
        {
            return "second run";
        }

        await Workflow.StartChildWorkflowAsync((LongSleepWorkflow wf) => wf.RunAsync(), new() { Id = childId });
        throw Workflow.CreateContinueAsNewException((ParentContinuesAsNewAfterChildWorkflow wf) => wf.RunAsync(childId, true));
    }
}

/// <summary>Starts a <see cref="SleepAfterContinueWorkflow"/> child, waits until it has continued as new, and returns the child's first run id.</summary>
[Workflow]
public sealed class ParentLeavesContinuingChildWorkflow
{
    private bool _childContinued;

    [WorkflowRun]
    public async Task<string> RunAsync(string childId)
    {
        var child = await Workflow.StartChildWorkflowAsync((SleepAfterContinueWorkflow wf) => wf.RunAsync(Workflow.Info.WorkflowId, false), new() { Id = childId });
        await Workflow.WaitConditionAsync(() => _childContinued);
        return child.FirstExecutionRunId ?? string.Empty;
    }

    [WorkflowSignal]
    public Task ChildContinuedAsync()
    {
        _childContinued = true;
        return Task.CompletedTask;
    }
}

/// <summary>Continues as new once; the second run tells the parent and sleeps for an hour.</summary>
[Workflow]
public sealed class SleepAfterContinueWorkflow
{
    [WorkflowRun]
    public async Task RunAsync(string parentId, bool continued)
    {
        if (!continued)
        {
            throw Workflow.CreateContinueAsNewException((SleepAfterContinueWorkflow wf) => wf.RunAsync(parentId, true));
        }

        await Workflow.GetExternalWorkflowHandle<ParentLeavesContinuingChildWorkflow>(parentId).SignalAsync(wf => wf.ChildContinuedAsync());
        await Workflow.DelayAsync(TimeSpan.FromHours(1));
    }
}
