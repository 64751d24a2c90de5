using Tempora.Core;
using Tempora.History.Execution;
using Tempora.History.Queues;
using Tempora.Persistence;

namespace Tempora.History.Api;

/// <summary>Records a child's close on its parent (queued in the child's closing transaction).</summary>
internal sealed class NotifyParentHandler(CrossRunSteps steps, IRemoteRuns? remote)
{
    public Task NotifyParentAsync(TransferTaskRecord timer, TransferTaskInfo info, CancellationToken ct) =>
        steps.OnOwnerAsync(info.TargetNamespaceId, info.TargetWorkflowId,
            () => NotifyParentHereAsync(timer, ct), address => remote!.NotifyParentAsync(address, timer, ct));

    /// <summary>Records a child's close on its parent, run by the process that owns the parent's shard.</summary>
    public Task<bool> NotifyParentHereAsync(TransferTaskRecord timer, CancellationToken ct)
    {
        var info = StateSerializer.DeserializeValue<TransferTaskInfo>(timer.Data);
        steps.RequireLocal(info.TargetNamespaceId, info.TargetWorkflowId);
        return NotifyParentOnThisProcessAsync(timer, info, ct);
    }

    /// <summary>How many resets in a row a child's close report follows to find the parent run that carries on.</summary>
    private const int MaxResetRedirects = 10;

    private async Task<bool> NotifyParentOnThisProcessAsync(TransferTaskRecord timer, TransferTaskInfo info, CancellationToken ct)
    {
        // A parent run replaced by a reset hands the report on to the run that replaced it (as Temporal does): the
        // reset run kept the child pending. All runs of one workflow id live on the same shard, so this stays local.
        var parentRunId = info.TargetRunId;
        for (var hop = 0; hop <= MaxResetRedirects; hop++)
        {
            string? resetRunId = null;
            await steps.FinishOnRunAsync(new WorkflowKey(info.TargetNamespaceId, info.TargetWorkflowId, parentRunId), timer, t =>
            {
                if (t.State.Children.TryGetValue(info.EventId, out var child) && child.Initiated.WorkflowId == timer.Key.WorkflowId)
                {
                    t.RecordChildClosed(child, timer.Key.NamespaceId, timer.Key.RunId, info.Event!);
                }
            }, ct, closed => (resetRunId = closed.ResetRunId) is not null);
            if (resetRunId is null)
            {
                return true;
            }
            parentRunId = resetRunId;
        }
        return true;
    }
}
