using Tempora.Core.Errors;
using Tempora.History.Execution;
using Tempora.History.Queues;
using Tempora.History.Updates;
using Tempora.Persistence;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;

namespace Tempora.History.Api;

/// <summary>Cancels or terminates the children of a closed parent as their parent close policy says.</summary>
internal sealed class ParentClosePolicyHandler(IExecutionStore store, RunResolver runs, WorkflowUpdater updater, CrossRunSteps steps, IRemoteRuns? remote)
{
    public async Task ApplyParentClosePolicyAsync(TransferTaskRecord timer, TransferTaskInfo info, CancellationToken ct)
    {
        await steps.OnOwnerAsync(info.TargetNamespaceId, info.TargetWorkflowId,
            () => ApplyParentClosePolicyHereAsync(timer, ct), address => remote!.ApplyParentClosePolicyAsync(address, timer, ct));
        await store.DeleteTransferTasksAsync([timer.TaskId], ct);
    }

    /// <summary>Cancels or terminates a closed parent's child, run by the process that owns the child's shard.</summary>
    public async Task<bool> ApplyParentClosePolicyHereAsync(TransferTaskRecord timer, CancellationToken ct)
    {
        var info = StateSerializer.DeserializeValue<TransferTaskInfo>(timer.Data);
        steps.RequireLocal(info.TargetNamespaceId, info.TargetWorkflowId);
        try
        {
            // The child may have continued as new since: act on its current run if it still belongs to this parent.
            var key = await runs.ResolveAsync(info.TargetNamespaceId, new WorkflowExecution { WorkflowId = info.TargetWorkflowId }, null, ct);
            await updater.UpdateAsync(key, t =>
            {
                if (!t.State.IsOpen || t.State.Parent?.RunId != timer.Key.RunId)
                {
                    return 0;
                }
                if (info.Policy == ParentClosePolicy.RequestCancel)
                {
                    if (!t.State.CancelRequested)
                    {
                        t.RequestCancel("by parent close policy", "history-service");
                    }
                }
                else
                {
                    t.Terminate("by parent close policy", null, "history-service");
                }
                return 0;
            }, ct);
        }
        catch (EntityNotFoundException)
        {
            // the child is gone already
        }
        return true;
    }
}
