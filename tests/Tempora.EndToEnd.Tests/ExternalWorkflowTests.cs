using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Temporalio.Workflows;

namespace Tempora.EndToEnd.Tests;

[Collection(ServerCollection.Name)]
public sealed class ExternalWorkflowTests(ServerFixture fixture)
{
    private TemporalClient Client => fixture.Client;

    [Fact]
    public async Task SignalExternal_TargetRunning_TargetReceivesSignalAndCompletes()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var senderId = ServerFixture.NewWorkflowId("sender");
        var targetId = ServerFixture.NewWorkflowId("target");
        using var worker = NewWorker(taskQueue);

        var (sender, target, senderResult, targetResult) = await worker.ExecuteAsync(async () =>
        {
            var t = await Client.StartWorkflowAsync((WaitForFinishWorkflow wf) => wf.RunAsync(), new(targetId, taskQueue));
            var s = await Client.StartWorkflowAsync((ExternalSignalSenderWorkflow wf) => wf.RunAsync(targetId, "from a workflow"), new(senderId, taskQueue));
            var sr = await s.GetResultAsync().WithTimeout("sender workflow");
            var tr = await t.GetResultAsync().WithTimeout("signalled target workflow");
            return (s, t, sr, tr);
        });

        Assert.Equal("sent", senderResult);
        Assert.Equal("from a workflow", targetResult);
        var senderEvents = await sender.EventsAsync();
        var senderTypes = senderEvents.Types();
        var initiatedIndex = senderTypes.ToList().IndexOf(EventType.SignalExternalWorkflowExecutionInitiated);
        var signaledIndex = senderTypes.ToList().IndexOf(EventType.ExternalWorkflowExecutionSignaled);
        Assert.True(initiatedIndex >= 0 && signaledIndex > initiatedIndex, $"sender history: {string.Join(", ", senderTypes)}");
        var initiated = senderEvents[initiatedIndex];
        Assert.Equal(targetId, initiated.SignalExternalWorkflowExecutionInitiatedEventAttributes.WorkflowExecution.WorkflowId);
        Assert.Equal(initiated.EventId, senderEvents[signaledIndex].ExternalWorkflowExecutionSignaledEventAttributes.InitiatedEventId);

        var signaled = Assert.Single(await target.EventsAsync(), e => e.EventType == EventType.WorkflowExecutionSignaled);
        Assert.Equal("Finish", signaled.WorkflowExecutionSignaledEventAttributes.SignalName);
        Assert.Equal(senderId, signaled.WorkflowExecutionSignaledEventAttributes.ExternalWorkflowExecution?.WorkflowId);
    }

    [Fact]
    public async Task SignalExternal_TargetDoesNotExist_SenderSeesNotFoundFailure()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var missingId = ServerFixture.NewWorkflowId("missing");
        using var worker = NewWorker(taskQueue);

        var (sender, result) = await worker.ExecuteAsync(async () =>
        {
            var s = await Client.StartWorkflowAsync(
                (ExternalSignalSenderWorkflow wf) => wf.RunAsync(missingId, "nobody home"), new(ServerFixture.NewWorkflowId("sender"), taskQueue));
            return (s, await s.GetResultAsync().WithTimeout("sender of a signal to a missing workflow"));
        });

        Assert.StartsWith($"failed: {nameof(ApplicationFailureException)}", result, StringComparison.Ordinal);
        Assert.Contains("not found", result, StringComparison.OrdinalIgnoreCase);
        var failed = Assert.Single(await sender.EventsAsync(), e => e.EventType == EventType.SignalExternalWorkflowExecutionFailed);
        Assert.Equal(
            SignalExternalWorkflowExecutionFailedCause.ExternalWorkflowExecutionNotFound,
            failed.SignalExternalWorkflowExecutionFailedEventAttributes.Cause);
        Assert.Equal(missingId, failed.SignalExternalWorkflowExecutionFailedEventAttributes.WorkflowExecution.WorkflowId);
    }

    [Fact]
    public async Task CancelExternal_TargetSleeping_TargetEndsCanceled()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var senderId = ServerFixture.NewWorkflowId("canceller");
        var targetId = ServerFixture.NewWorkflowId("target");
        using var worker = NewWorker(taskQueue);

        var (sender, target, senderResult, targetError) = await worker.ExecuteAsync(async () =>
        {
            var t = await Client.StartWorkflowAsync((LongSleepWorkflow wf) => wf.RunAsync(), new(targetId, taskQueue));
            await Wait.ForHistoryEventAsync(t, EventType.TimerStarted);
            var s = await Client.StartWorkflowAsync((ExternalCancelSenderWorkflow wf) => wf.RunAsync(targetId), new(senderId, taskQueue));
            var sr = await s.GetResultAsync().WithTimeout("cancelling workflow");
            var te = await Assert.ThrowsAsync<WorkflowFailedException>(() => t.GetResultAsync().WithTimeout("cancelled target to close"));
            return (s, t, sr, te);
        });

        Assert.Equal("cancel requested", senderResult);
        Assert.IsType<CanceledFailureException>(targetError.InnerException);
        Assert.Equal(WorkflowExecutionStatus.Canceled, (await target.DescribeAsync()).Status);
        var targetEvents = await target.EventsAsync();
        var requested = Assert.Single(targetEvents, e => e.EventType == EventType.WorkflowExecutionCancelRequested);
        var attributes = requested.WorkflowExecutionCancelRequestedEventAttributes;
        Assert.Equal(senderId, attributes.ExternalWorkflowExecution?.WorkflowId);
        Assert.Equal(sender.ResultRunId, attributes.ExternalWorkflowExecution?.RunId);
        Assert.Equal(EventType.WorkflowExecutionCanceled, targetEvents[^1].EventType);

        var senderEvents = await sender.EventsAsync();
        var initiated = Assert.Single(senderEvents, e => e.EventType == EventType.RequestCancelExternalWorkflowExecutionInitiated);
        var resolved = Assert.Single(senderEvents, e => e.EventType == EventType.ExternalWorkflowExecutionCancelRequested);
        Assert.Equal(initiated.EventId, attributes.ExternalInitiatedEventId);
        Assert.Equal(initiated.EventId, resolved.ExternalWorkflowExecutionCancelRequestedEventAttributes.InitiatedEventId);
        Assert.False(
            initiated.RequestCancelExternalWorkflowExecutionInitiatedEventAttributes.ChildWorkflowOnly,
            "a cancel through an external handle is not child-only");
    }

    [Fact]
    public async Task CancelExternal_TargetDoesNotExist_SenderSeesNotFoundFailure()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var missingId = ServerFixture.NewWorkflowId("missing");
        using var worker = NewWorker(taskQueue);

        var (sender, result) = await worker.ExecuteAsync(async () =>
        {
            var s = await Client.StartWorkflowAsync(
                (ExternalCancelSenderWorkflow wf) => wf.RunAsync(missingId), new(ServerFixture.NewWorkflowId("canceller"), taskQueue));
            return (s, await s.GetResultAsync().WithTimeout("canceller of a missing workflow"));
        });

        Assert.StartsWith($"failed: {nameof(ApplicationFailureException)}", result, StringComparison.Ordinal);
        Assert.Contains("not found", result, StringComparison.OrdinalIgnoreCase);
        var failed = Assert.Single(await sender.EventsAsync(), e => e.EventType == EventType.RequestCancelExternalWorkflowExecutionFailed);
        Assert.Equal(
            CancelExternalWorkflowExecutionFailedCause.ExternalWorkflowExecutionNotFound,
            failed.RequestCancelExternalWorkflowExecutionFailedEventAttributes.Cause);
    }

    [Fact]
    public async Task SignalExternal_TargetAlreadyCompleted_SenderSeesNotFoundFailure()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var targetId = ServerFixture.NewWorkflowId("closed-target");
        using var worker = NewWorker(taskQueue);

        var result = await worker.ExecuteAsync(async () =>
        {
            var t = await Client.StartWorkflowAsync((WaitForFinishWorkflow wf) => wf.RunAsync(), new(targetId, taskQueue));
            await t.SignalAsync(wf => wf.FinishAsync("closed"));
            await t.GetResultAsync().WithTimeout("target to complete");
            var s = await Client.StartWorkflowAsync(
                (ExternalSignalSenderWorkflow wf) => wf.RunAsync(targetId, "too late"), new(ServerFixture.NewWorkflowId("sender"), taskQueue));
            return await s.GetResultAsync().WithTimeout("sender of a signal to a closed workflow");
        });

        Assert.StartsWith($"failed: {nameof(ApplicationFailureException)}", result, StringComparison.Ordinal);
    }

    private TemporalWorker NewWorker(string taskQueue) =>
        new(Client, new TemporalWorkerOptions(taskQueue)
            .AddWorkflow<ExternalSignalSenderWorkflow>()
            .AddWorkflow<ExternalCancelSenderWorkflow>()
            .AddWorkflow<WaitForFinishWorkflow>()
            .AddWorkflow<LongSleepWorkflow>());
}

/// <summary>Signals <see cref="WaitForFinishWorkflow.FinishAsync"/> on another workflow; reports a failure as a value.</summary>
[Workflow]
public sealed class ExternalSignalSenderWorkflow
{
    [WorkflowRun]
    public async Task<string> RunAsync(string targetId, string value)
    {
        try
        {
            await Workflow.GetExternalWorkflowHandle<WaitForFinishWorkflow>(targetId).SignalAsync(wf => wf.FinishAsync(value));
            return "sent";
        }
        catch (FailureException e)
        {
            return $"failed: {e.GetType().Name}: {e.Message}";
        }
    }
}

/// <summary>Requests cancellation of another workflow; reports a failure as a value.</summary>
[Workflow]
public sealed class ExternalCancelSenderWorkflow
{
    [WorkflowRun]
    public async Task<string> RunAsync(string targetId)
    {
        try
        {
            await Workflow.GetExternalWorkflowHandle(targetId).CancelAsync();
            return "cancel requested";
        }
        catch (FailureException e)
        {
            return $"failed: {e.GetType().Name}: {e.Message}";
        }
    }
}
