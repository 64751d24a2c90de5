using Google.Protobuf;
using Tempora.Core.Errors;
using Tempora.History.Queues;
using Tempora.History.Updates;
using Tempora.Persistence;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;

namespace Tempora.History.Api;

/// <summary>Delivers a workflow's SignalExternalWorkflowExecution or RequestCancelExternalWorkflowExecution to its target.</summary>
internal sealed class ExternalRequestHandler(
    IExecutionStore store, NamespaceRegistry namespaces, RunResolver runs, WorkflowUpdater updater, CrossRunSteps steps, IRemoteRuns? remote)
{
    public async Task DeliverExternalRequestAsync(TransferTaskRecord timer, TransferTaskInfo info, CancellationToken ct)
    {
        var sourceKey = timer.Key;
        var request = await steps.TryReadAsync(sourceKey, s => s.IsOpen ? s.ExternalRequests.GetValueOrDefault(info.EventId) : null, ct);
        if (request is null)
        {
            await store.DeleteTransferTasksAsync([timer.TaskId], ct);
            return;
        }
        var signal = info.Kind == TransferTaskKind.SignalExternal;
        var source = new WorkflowExecution { WorkflowId = sourceKey.WorkflowId, RunId = sourceKey.RunId };
        var (ns, execution, childOnly) = signal
            ? (request.Initiated.SignalExternalWorkflowExecutionInitiatedEventAttributes.Namespace,
                request.Initiated.SignalExternalWorkflowExecutionInitiatedEventAttributes.WorkflowExecution,
                request.Initiated.SignalExternalWorkflowExecutionInitiatedEventAttributes.ChildWorkflowOnly)
            : (request.Initiated.RequestCancelExternalWorkflowExecutionInitiatedEventAttributes.Namespace,
                request.Initiated.RequestCancelExternalWorkflowExecutionInitiatedEventAttributes.WorkflowExecution,
                request.Initiated.RequestCancelExternalWorkflowExecutionInitiatedEventAttributes.ChildWorkflowOnly);
        var failure = CancelExternalWorkflowExecutionFailedCause.Unspecified;
        try
        {
            var target = await namespaces.GetByNameAsync(ns, ct);
            var call = new ExternalRequestCall(target.Id, signal, execution.ToByteArray(), childOnly, sourceKey, request.RequestId,
                request.InitiatedEventId, request.Initiated.ToByteArray());
            failure = (CancelExternalWorkflowExecutionFailedCause)await steps.OnOwnerAsync(target.Id, execution.WorkflowId,
                () => DeliverExternalRequestHereAsync(call, ct), address => remote!.DeliverExternalRequestAsync(address, call, ct));
        }
        catch (NamespaceNotFoundException)
        {
            failure = CancelExternalWorkflowExecutionFailedCause.NamespaceNotFound;
        }
        await steps.FinishOnRunAsync(sourceKey, timer, t =>
        {
            if (t.State.ExternalRequests.TryGetValue(info.EventId, out var pending))
            {
                t.RecordExternalRequestResult(pending, failure == CancelExternalWorkflowExecutionFailedCause.Unspecified, failure);
            }
        }, ct);
    }

    /// <summary>
    /// Signals or cancels the target of a workflow's external request, run by the process that owns the target's
    /// shard; answers the failure cause (Unspecified when delivered).
    /// </summary>
    public async Task<int> DeliverExternalRequestHereAsync(ExternalRequestCall call, CancellationToken ct)
    {
        var execution = WorkflowExecution.Parser.ParseFrom(call.Execution);
        steps.RequireLocal(call.TargetNamespaceId, execution.WorkflowId);
        var initiated = Temporalio.Api.History.V1.HistoryEvent.Parser.ParseFrom(call.Initiated);
        var source = new WorkflowExecution { WorkflowId = call.Source.WorkflowId, RunId = call.Source.RunId };
        try
        {
            var key = await runs.ResolveAsync(call.TargetNamespaceId, execution, null, ct);
            await updater.UpdateAsync(key, t =>
            {
                var s = t.State;
                if (call.ChildOnly && s.Parent?.RunId != call.Source.RunId)
                {
                    throw new EntityNotFoundException("target is not a child of the requesting workflow");
                }
                if (call.Signal)
                {
                    if (!s.IsOpen)
                    {
                        throw new EntityNotFoundException(ErrorMessages.AlreadyCompleted);
                    }
                    if (!s.SignalRequestIds.Contains(call.RequestId))
                    {
                        var a = initiated.SignalExternalWorkflowExecutionInitiatedEventAttributes;
                        t.Signal(a.SignalName, a.Input, "", a.Header, call.RequestId, false, source);
                    }
                }
                else if (s.IsOpen && !s.CancelRequested)
                {
                    var a = initiated.RequestCancelExternalWorkflowExecutionInitiatedEventAttributes;
                    t.RequestCancel(a.Reason, "", source, call.InitiatedEventId);
                }
                return 0;
            }, ct);
            return (int)CancelExternalWorkflowExecutionFailedCause.Unspecified;
        }
        catch (EntityNotFoundException)
        {
            return (int)CancelExternalWorkflowExecutionFailedCause.ExternalWorkflowExecutionNotFound;
        }
    }
}
