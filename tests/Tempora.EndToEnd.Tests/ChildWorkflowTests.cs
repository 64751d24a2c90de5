using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Temporalio.Workflows;
using ParentClosePolicy = Temporalio.Workflows.ParentClosePolicy;

namespace Tempora.EndToEnd.Tests;

[Collection(ServerCollection.Name)]
public sealed class ChildWorkflowTests(ServerFixture fixture)
{
    private TemporalClient Client => fixture.Client;

    [Fact]
    public async Task ExecuteChildWorkflow_ChildCompletes_ParentReturnsChildResult()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var parentId = ServerFixture.NewWorkflowId("parent");
        var childId = ServerFixture.NewWorkflowId("child");
        using var worker = NewWorker(taskQueue);

        var result = await worker.ExecuteAsync(() =>
            Client.ExecuteWorkflowAsync((ParentOfEchoWorkflow wf) => wf.RunAsync(childId, "ping"), new(parentId, taskQueue))
                .WithTimeout("parent of an echo child"));

        Assert.Equal($"echo ping (parent {parentId})", result);
        var child = Client.GetWorkflowHandle(childId);
        Assert.Equal(WorkflowExecutionStatus.Completed, (await child.DescribeAsync()).Status);
    }

    [Fact]
    public async Task ExecuteChildWorkflow_ChildFails_ParentSeesChildWorkflowFailureWithApplicationCause()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var childId = ServerFixture.NewWorkflowId("child");
        using var worker = NewWorker(taskQueue);

        var (handle, ex) = await worker.ExecuteAsync(async () =>
        {
            var h = await Client.StartWorkflowAsync(
                (ParentOfFailingChildWorkflow wf) => wf.RunAsync(childId), new(ServerFixture.NewWorkflowId("parent"), taskQueue));
            var e = await Assert.ThrowsAsync<WorkflowFailedException>(() => h.GetResultAsync().WithTimeout("parent of a failing child"));
            return (h, e);
        });

        var childFailure = Assert.IsType<ChildWorkflowFailureException>(ex.InnerException);
        Assert.Equal(childId, childFailure.WorkflowId);
        Assert.Equal(nameof(FailingChildWorkflow), childFailure.WorkflowType);
        var cause = Assert.IsType<ApplicationFailureException>(childFailure.InnerException);
        Assert.Equal("child gave up", cause.Message);
        Assert.Equal("ChildGiveUp", cause.ErrorType);
        var types = (await handle.EventsAsync()).Types();
        Assert.Contains(EventType.ChildWorkflowExecutionFailed, types);
        Assert.Equal(EventType.WorkflowExecutionFailed, types[^1]);
        Assert.Equal(WorkflowExecutionStatus.Failed, (await Client.GetWorkflowHandle(childId).DescribeAsync()).Status);
    }

    [Fact]
    public async Task StartChildWorkflow_IdAlreadyRunning_ParentSeesAlreadyStarted()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var existingId = ServerFixture.NewWorkflowId("existing");
        using var worker = NewWorker(taskQueue);

        var (handle, result) = await worker.ExecuteAsync(async () =>
        {
            var existing = await Client.StartWorkflowAsync((WaitForFinishWorkflow wf) => wf.RunAsync(), new(existingId, taskQueue));
            var h = await Client.StartWorkflowAsync(
                (ParentStartsDuplicateChildWorkflow wf) => wf.RunAsync(existingId), new(ServerFixture.NewWorkflowId("parent"), taskQueue));
            var r = await h.GetResultAsync().WithTimeout("parent whose child start fails");
            await existing.TerminateAsync("test done");
            return (h, r);
        });

        Assert.Equal($"{nameof(WorkflowAlreadyStartedException)}: {existingId}", result);
        var events = await handle.EventsAsync();
        var failed = Assert.Single(events, e => e.EventType == EventType.StartChildWorkflowExecutionFailed);
        var attributes = failed.StartChildWorkflowExecutionFailedEventAttributes;
        Assert.Equal(StartChildWorkflowExecutionFailedCause.WorkflowAlreadyExists, attributes.Cause);
        Assert.Equal(existingId, attributes.WorkflowId);
        var initiated = Assert.Single(events, e => e.EventType == EventType.StartChildWorkflowExecutionInitiated);
        Assert.Equal(initiated.EventId, attributes.InitiatedEventId);
    }

    [Fact]
    public async Task ParentClosePolicy_DefaultTerminate_ChildTerminatedWhenParentCompletes()
    {
        var child = await RunParentThatLeavesChildAsync(ParentClosePolicy.None);

        var description = await Wait.UntilAsync(
            () => child.DescribeAsync(),
            d => d.Status != WorkflowExecutionStatus.Running,
            "child of a completed parent (default close policy) to close");

        Assert.Equal(WorkflowExecutionStatus.Terminated, description.Status);
        Assert.Equal(EventType.WorkflowExecutionTerminated, (await child.EventsAsync()).Types()[^1]);
    }

    [Fact]
    public async Task ParentClosePolicy_RequestCancel_ChildCanceledWhenParentCompletes()
    {
        var child = await RunParentThatLeavesChildAsync(ParentClosePolicy.RequestCancel);

        var description = await Wait.UntilAsync(
            () => child.DescribeAsync(),
            d => d.Status != WorkflowExecutionStatus.Running,
            "child of a completed parent (request-cancel policy) to close");

        Assert.Equal(WorkflowExecutionStatus.Canceled, description.Status);
        var types = (await child.EventsAsync()).Types();
        Assert.Contains(EventType.WorkflowExecutionCancelRequested, types);
        Assert.Equal(EventType.WorkflowExecutionCanceled, types[^1]);
    }

    [Fact]
    public async Task ParentClosePolicy_Abandon_ChildKeepsRunningAfterParentCompletes()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var childId = ServerFixture.NewWorkflowId("child");
        using var worker = NewWorker(taskQueue);

        var (status, childResult) = await worker.ExecuteAsync(async () =>
        {
            var parent = await Client.StartWorkflowAsync(
                (ParentStartsWaitingChildWorkflow wf) => wf.RunAsync(childId, ParentClosePolicy.Abandon),
                new(ServerFixture.NewWorkflowId("parent"), taskQueue));
            Assert.Equal("parent done", await parent.GetResultAsync().WithTimeout("parent that abandons its child"));
            var child = Client.GetWorkflowHandle<WaitForFinishWorkflow>(childId);
            var s = (await child.DescribeAsync()).Status;
            // An abandoned child still takes signals and completes on its own.
            await child.SignalAsync(wf => wf.FinishAsync("still alive"));
            return (s, await child.GetResultAsync<string>().WithTimeout("abandoned child to complete"));
        });

        Assert.Equal(WorkflowExecutionStatus.Running, status);
        Assert.Equal("still alive", childResult);
    }

    [Fact]
    public async Task CancelChild_ViaCancellationToken_ParentSeesChildFailureWithCanceledCause()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var childId = ServerFixture.NewWorkflowId("child");
        using var worker = NewWorker(taskQueue);

        var (handle, result) = await worker.ExecuteAsync(async () =>
        {
            var h = await Client.StartWorkflowAsync(
                (ParentCancelsChildWorkflow wf) => wf.RunAsync(childId), new(ServerFixture.NewWorkflowId("parent"), taskQueue));
            return (h, await h.GetResultAsync().WithTimeout("parent that cancels its child"));
        });

        Assert.Equal($"{nameof(ChildWorkflowFailureException)} <- {nameof(CanceledFailureException)}", result);
        var parentTypes = (await handle.EventsAsync()).Types();
        Assert.Contains(EventType.RequestCancelExternalWorkflowExecutionInitiated, parentTypes);
        Assert.Contains(EventType.ExternalWorkflowExecutionCancelRequested, parentTypes);
        Assert.Contains(EventType.ChildWorkflowExecutionCanceled, parentTypes);
        var child = Client.GetWorkflowHandle(childId);
        Assert.Equal(WorkflowExecutionStatus.Canceled, (await child.DescribeAsync()).Status);
        var cancelRequested = Assert.Single(await child.EventsAsync(), e => e.EventType == EventType.WorkflowExecutionCancelRequested);
        Assert.Equal(handle.Id, cancelRequested.WorkflowExecutionCancelRequestedEventAttributes.ExternalWorkflowExecution?.WorkflowId);
    }

    [Fact]
    public async Task DescribeWorkflow_ChildRunning_ParentShowsPendingChildAndChildShowsParent()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var parentId = ServerFixture.NewWorkflowId("parent");
        var childId = ServerFixture.NewWorkflowId("child");
        using var worker = NewWorker(taskQueue);

        var (parent, parentDescription, childDescription, afterDescription, result) = await worker.ExecuteAsync(async () =>
        {
            var p = await Client.StartWorkflowAsync((ParentAwaitsWaitingChildWorkflow wf) => wf.RunAsync(childId), new(parentId, taskQueue));
            var pd = await Wait.UntilAsync(
                () => p.DescribeRawAsync(),
                d => d.PendingChildren.Count == 1 && !string.IsNullOrEmpty(d.PendingChildren[0].RunId),
                "parent describe to show its started child");
            var child = Client.GetWorkflowHandle<WaitForFinishWorkflow>(childId);
            var cd = await child.DescribeRawAsync();
            await child.SignalAsync(wf => wf.FinishAsync("released"));
            var r = await p.GetResultAsync().WithTimeout("parent after its child completes");
            return (p, pd, cd, await p.DescribeRawAsync(), r);
        });

        Assert.Equal("child said released", result);
        var pending = parentDescription.PendingChildren[0];
        Assert.Equal(childId, pending.WorkflowId);
        Assert.Equal(nameof(WaitForFinishWorkflow), pending.WorkflowTypeName);
        Assert.True(pending.InitiatedId > 0, "pending child should name its initiated event");
        Assert.Equal(WorkflowExecutionStatus.Running, parentDescription.WorkflowExecutionInfo.Status);

        var childInfo = childDescription.WorkflowExecutionInfo;
        Assert.Equal(pending.RunId, childInfo.Execution.RunId);
        Assert.NotNull(childInfo.ParentExecution);
        Assert.Equal(parentId, childInfo.ParentExecution.WorkflowId);
        Assert.Equal(parent.ResultRunId, childInfo.ParentExecution.RunId);
        Assert.Empty(afterDescription.PendingChildren);

        var events = await parent.EventsAsync();
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.EventId));
        var initiated = Assert.Single(events, e => e.EventType == EventType.StartChildWorkflowExecutionInitiated);
        var started = Assert.Single(events, e => e.EventType == EventType.ChildWorkflowExecutionStarted);
        var completed = Assert.Single(events, e => e.EventType == EventType.ChildWorkflowExecutionCompleted);
        Assert.True(initiated.EventId < started.EventId && started.EventId < completed.EventId, "child events out of order");
        Assert.Equal(pending.InitiatedId, initiated.EventId);
        Assert.Equal(childId, initiated.StartChildWorkflowExecutionInitiatedEventAttributes.WorkflowId);
        Assert.Equal(initiated.EventId, started.ChildWorkflowExecutionStartedEventAttributes.InitiatedEventId);
        Assert.Equal(pending.RunId, started.ChildWorkflowExecutionStartedEventAttributes.WorkflowExecution.RunId);
        Assert.Equal(initiated.EventId, completed.ChildWorkflowExecutionCompletedEventAttributes.InitiatedEventId);
        Assert.Equal(started.EventId, completed.ChildWorkflowExecutionCompletedEventAttributes.StartedEventId);
    }

    [Fact]
    public async Task ChildStartedEvent_ChildHistory_CarriesParentAndRoot()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var parentId = ServerFixture.NewWorkflowId("parent");
        var childId = ServerFixture.NewWorkflowId("child");
        using var worker = NewWorker(taskQueue);

        var parent = await worker.ExecuteAsync(async () =>
        {
            var p = await Client.StartWorkflowAsync((ParentOfEchoWorkflow wf) => wf.RunAsync(childId, "root"), new(parentId, taskQueue));
            await p.GetResultAsync().WithTimeout("parent of an echo child");
            return p;
        });

        var childStarted = (await Client.GetWorkflowHandle(childId).EventsAsync())[0].WorkflowExecutionStartedEventAttributes;
        Assert.Equal(parentId, childStarted.ParentWorkflowExecution?.WorkflowId);
        Assert.Equal(parent.ResultRunId, childStarted.ParentWorkflowExecution?.RunId);
        Assert.Equal("default", childStarted.ParentWorkflowNamespace);
        Assert.True(childStarted.ParentInitiatedEventId > 0, "child should name the parent's initiated event");
        Assert.Equal(parentId, childStarted.RootWorkflowExecution?.WorkflowId);
    }

    /// <summary>Runs a parent that starts a one-hour child with <paramref name="policy"/> and completes; returns the child's handle.</summary>
    private async Task<WorkflowHandle> RunParentThatLeavesChildAsync(ParentClosePolicy policy)
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var childId = ServerFixture.NewWorkflowId("child");
        using var worker = NewWorker(taskQueue);
        return await worker.ExecuteAsync(async () =>
        {
            var parent = await Client.StartWorkflowAsync(
                (ParentStartsSleepingChildWorkflow wf) => wf.RunAsync(childId, policy),
                new(ServerFixture.NewWorkflowId("parent"), taskQueue));
            Assert.Equal("parent done", await parent.GetResultAsync().WithTimeout("parent that leaves its child running"));
            var child = Client.GetWorkflowHandle(childId);
            // Keep the worker alive until the child has closed, so a cancel request can be processed.
            await Wait.UntilAsync(
                () => child.DescribeAsync(),
                d => d.Status != WorkflowExecutionStatus.Running,
                $"child to close under parent close policy {policy}");
            return child;
        });
    }

    private TemporalWorker NewWorker(string taskQueue) =>
        new(Client, new TemporalWorkerOptions(taskQueue)
            .AddWorkflow<EchoChildWorkflow>()
            .AddWorkflow<FailingChildWorkflow>()
            .AddWorkflow<ParentOfEchoWorkflow>()
            .AddWorkflow<ParentOfFailingChildWorkflow>()
            .AddWorkflow<ParentStartsDuplicateChildWorkflow>()
            .AddWorkflow<ParentStartsSleepingChildWorkflow>()
            .AddWorkflow<ParentStartsWaitingChildWorkflow>()
            .AddWorkflow<ParentCancelsChildWorkflow>()
            .AddWorkflow<ParentAwaitsWaitingChildWorkflow>()
            .AddWorkflow<WaitForFinishWorkflow>()
            .AddWorkflow<LongSleepWorkflow>());
}

/// <summary>Echoes its input and names its parent.</summary>
[Workflow]
public sealed class EchoChildWorkflow
{
    [WorkflowRun]
    public async Task<string> RunAsync(string value)
    {
        await Workflow.DelayAsync(TimeSpan.FromMilliseconds(10));
        return $"echo {value} (parent {Workflow.Info.Parent?.WorkflowId ?? "<none>"})";
    }
}

/// <summary>Always fails with an application failure.</summary>
[Workflow]
public sealed class FailingChildWorkflow
{
    [WorkflowRun]
    public Task RunAsync() => throw new ApplicationFailureException("child gave up", errorType: "ChildGiveUp");
}

/// <summary>Returns the result of an <see cref="EchoChildWorkflow"/> child.</summary>
[Workflow]
public sealed class ParentOfEchoWorkflow
{
    [WorkflowRun]
    public Task<string> RunAsync(string childId, string value) =>
        Workflow.ExecuteChildWorkflowAsync((EchoChildWorkflow wf) => wf.RunAsync(value), new() { Id = childId });
}

/// <summary>Awaits a <see cref="FailingChildWorkflow"/> child and lets its failure fail the parent.</summary>
[Workflow]
public sealed class ParentOfFailingChildWorkflow
{
    [WorkflowRun]
    public Task RunAsync(string childId) =>
        Workflow.ExecuteChildWorkflowAsync((FailingChildWorkflow wf) => wf.RunAsync(), new() { Id = childId });
}

/// <summary>Starts a child with an id that is already in use; returns what the start threw.</summary>
[Workflow]
public sealed class ParentStartsDuplicateChildWorkflow
{
    [WorkflowRun]
    public async Task<string> RunAsync(string childId)
    {
        try
        {
            await Workflow.StartChildWorkflowAsync((WaitForFinishWorkflow wf) => wf.RunAsync(), new() { Id = childId });
            return "child started";
        }
        catch (WorkflowAlreadyStartedException e)
        {
            return $"{nameof(WorkflowAlreadyStartedException)}: {e.WorkflowId}";
        }
    }
}

/// <summary>Starts a one-hour child with the given close policy and completes at once.</summary>
[Workflow]
public sealed class ParentStartsSleepingChildWorkflow
{
    [WorkflowRun]
    public async Task<string> RunAsync(string childId, ParentClosePolicy policy)
    {
        await Workflow.StartChildWorkflowAsync((LongSleepWorkflow wf) => wf.RunAsync(), new() { Id = childId, ParentClosePolicy = policy });
        return "parent done";
    }
}

/// <summary>Starts a signal-waiting child with the given close policy and completes at once.</summary>
[Workflow]
public sealed class ParentStartsWaitingChildWorkflow
{
    [WorkflowRun]
    public async Task<string> RunAsync(string childId, ParentClosePolicy policy)
    {
        await Workflow.StartChildWorkflowAsync((WaitForFinishWorkflow wf) => wf.RunAsync(), new() { Id = childId, ParentClosePolicy = policy });
        return "parent done";
    }
}

/// <summary>Starts a one-hour child, cancels it through its cancellation token and reports what awaiting it threw.</summary>
[Workflow]
public sealed class ParentCancelsChildWorkflow
{
    [WorkflowRun]
    public async Task<string> RunAsync(string childId)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Workflow.CancellationToken);
        var child = await Workflow.StartChildWorkflowAsync(
            (LongSleepWorkflow wf) => wf.RunAsync(), new() { Id = childId, CancellationToken = cancel.Token });
        // Cancel synchronously: CancelAsync would run the callbacks off the workflow's scheduler.
        cancel.Cancel();
        try
        {
            await child.GetResultAsync();
            return "child completed";
        }
        catch (ChildWorkflowFailureException e)
        {
            return $"{nameof(ChildWorkflowFailureException)} <- {e.InnerException?.GetType().Name ?? "<none>"}";
        }
    }
}

/// <summary>Awaits a <see cref="WaitForFinishWorkflow"/> child and wraps its result.</summary>
[Workflow]
public sealed class ParentAwaitsWaitingChildWorkflow
{
    [WorkflowRun]
    public async Task<string> RunAsync(string childId) =>
        "child said " + await Workflow.ExecuteChildWorkflowAsync((WaitForFinishWorkflow wf) => wf.RunAsync(), new() { Id = childId });
}
