using Tempora.Core.Metrics;
using Tempora.History.Execution;
using Tempora.History.Queues;
using Tempora.Persistence;

namespace Tempora.History.Api;

/// <summary>
/// Carries out one transfer task the transfer queue took (work a transition hands to another run: start a child,
/// report a close to the parent, apply a parent-close policy, signal or cancel an external workflow, send a Nexus
/// operation's requests, deliver a Nexus completion).
/// </summary>
internal sealed class TransferTaskHandler(IMetrics metrics, StartChildHandler startChild, NotifyParentHandler notifyParent,
    ParentClosePolicyHandler parentClosePolicy, ExternalRequestHandler externalRequests, NexusOperationHandler nexusOperations,
    NexusCompletionHandler nexusCompletions)
{
    public Task ProcessTransferAsync(TransferTaskRecord task, CancellationToken ct)
    {
        var info = StateSerializer.DeserializeValue<TransferTaskInfo>(task.Data);
        // Counted with the timers, as when transfer work was a timer due at once (docs/observability.md).
        metrics.Increment(MetricNames.TimerTaskFired, info.Kind.ToString());
        return info.Kind switch
        {
            TransferTaskKind.StartChild => startChild.StartChildAsync(task, info, ct),
            TransferTaskKind.NotifyParent => notifyParent.NotifyParentAsync(task, info, ct),
            TransferTaskKind.ParentClosePolicy => parentClosePolicy.ApplyParentClosePolicyAsync(task, info, ct),
            TransferTaskKind.InvokeNexusOperation => nexusOperations.InvokeAsync(task, info, ct),
            TransferTaskKind.CancelNexusOperation => nexusOperations.CancelAsync(task, info, ct),
            TransferTaskKind.CompleteNexusOperation => nexusCompletions.CompleteAsync(task, info, ct),
            _ => externalRequests.DeliverExternalRequestAsync(task, info, ct),
        };
    }
}
