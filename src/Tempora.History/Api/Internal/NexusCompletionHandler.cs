using Tempora.Core;
using Tempora.Core.Errors;
using Tempora.History.Execution;
using Tempora.History.Nexus;
using Tempora.History.Queues;
using Tempora.Persistence;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Failure.V1;
using Temporalio.Api.History.V1;

namespace Tempora.History.Api;

/// <summary>
/// Delivers a completion callback: the close of a run a Nexus operation started (a workflow-run operation) becomes the
/// operation's outcome in the caller's history, as Temporal's callback and completion handlers make it. Queued in the
/// run's closing transaction; delivered on the process that owns the caller's shard.
/// </summary>
internal sealed class NexusCompletionHandler(IExecutionStore store, NamespaceRegistry namespaces, CrossRunSteps steps, IRemoteRuns? remote)
{
    public async Task CompleteAsync(TransferTaskRecord task, TransferTaskInfo info, CancellationToken ct)
    {
        NexusCallbackToken token;
        try
        {
            token = NexusCallbackToken.Parse(info.CallbackToken);
        }
        catch (InvalidArgumentException)
        {
            await store.DeleteTransferTasksAsync([task.TaskId], ct); // checked at start; a token that does not parse has nowhere to go
            return;
        }
        await steps.OnOwnerAsync(token.NamespaceId, token.WorkflowId,
            () => CompleteHereAsync(task, ct), address => remote!.CompleteNexusOperationAsync(address, task, ct));
    }

    /// <summary>Records the outcome on the caller's run, on the process that owns the caller's shard.</summary>
    public async Task<bool> CompleteHereAsync(TransferTaskRecord task, CancellationToken ct)
    {
        var info = StateSerializer.DeserializeValue<TransferTaskInfo>(task.Data);
        var token = NexusCallbackToken.Parse(info.CallbackToken);
        steps.RequireLocal(token.NamespaceId, token.WorkflowId);
        string handlerNamespace;
        try
        {
            handlerNamespace = (await namespaces.GetByIdAsync(task.Key.NamespaceId, ct)).Name;
        }
        catch (NamespaceNotFoundException)
        {
            handlerNamespace = ""; // deleted since: the outcome still reaches the caller, its link names no namespace
        }
        var startLink = new Link
        {
            WorkflowEvent = new Link.Types.WorkflowEvent
            {
                Namespace = handlerNamespace,
                WorkflowId = task.Key.WorkflowId,
                RunId = task.Key.RunId,
                EventRef = new Link.Types.WorkflowEvent.Types.EventReference { EventId = 1, EventType = EventType.WorkflowExecutionStarted },
            },
        };
        // A caller run replaced by a reset hands the completion on to the run that replaced it (Temporal retries a
        // completion that finds no operation on the workflow's current run); all its runs share the caller's shard.
        var callerRunId = token.RunId;
        for (var hop = 0; hop <= MaxResetRedirects; hop++)
        {
            string? resetRunId = null;
            await steps.FinishOnRunAsync(token.Caller with { RunId = callerRunId }, task, t =>
            {
                if (!t.State.NexusOperations.TryGetValue(token.ScheduledEventId, out var op) || op.RequestId != token.RequestId)
                {
                    return; // finished already (timed out, canceled), or another operation: the completion is dropped, as in Temporal
                }
                if (!op.IsStarted)
                {
                    // The handler's workflow ended before the start request's answer was recorded.
                    t.RecordNexusOperationStarted(op, info.OperationToken, [startLink]);
                }
                Record(t, op, info.Event!);
            }, ct, closed => (resetRunId = closed.ResetRunId) is not null);
            if (resetRunId is null)
            {
                break;
            }
            callerRunId = resetRunId;
        }
        return true;
    }

    /// <summary>How many resets in a row a completion follows to find the caller run that carries on.</summary>
    private const int MaxResetRedirects = 10;

    /// <summary>The operation's outcome from the close event of the run that carried it (Temporal's GetNexusCompletion).</summary>
    private static void Record(Transition t, NexusOperationInfo op, HistoryEvent close)
    {
        switch (close.EventType)
        {
            case EventType.WorkflowExecutionCompleted:
                var payloads = close.WorkflowExecutionCompletedEventAttributes.Result?.Payloads_;
                t.RecordNexusOperationCompleted(op, payloads is { Count: > 0 } ? payloads[0] : null, []);
                break;
            case EventType.WorkflowExecutionFailed:
                t.RecordNexusOperationFailed(op, close.WorkflowExecutionFailedEventAttributes.Failure);
                break;
            case EventType.WorkflowExecutionCanceled:
                t.RecordNexusOperationCanceled(op, new Failure
                {
                    Message = "operation canceled",
                    CanceledFailureInfo = new CanceledFailureInfo { Details = close.WorkflowExecutionCanceledEventAttributes.Details },
                });
                break;
            case EventType.WorkflowExecutionTimedOut:
                t.RecordNexusOperationFailed(op, new Failure
                {
                    Message = "operation exceeded internal timeout",
                    TimeoutFailureInfo = new TimeoutFailureInfo(),
                });
                break;
            default:
                t.RecordNexusOperationFailed(op, new Failure
                {
                    Message = "operation terminated",
                    TerminatedFailureInfo = new TerminatedFailureInfo(),
                });
                break;
        }
    }
}
