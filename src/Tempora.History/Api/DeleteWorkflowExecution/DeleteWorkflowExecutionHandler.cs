using Tempora.Core;
using Tempora.Core.Errors;
using Tempora.History.Updates;
using Tempora.Persistence;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History.Api;

/// <summary>Deletes a run with its history; a running run is terminated first, as upstream does.</summary>
internal sealed class DeleteWorkflowExecutionHandler(IExecutionStore store, RunResolver runs, WorkflowUpdater updater, RunTerminator terminator,
    IShardOwnership ownership)
{
    public async Task HandleAsync(NamespaceRecord ns, DeleteWorkflowExecutionRequest r, CancellationToken ct)
    {
        var key = await runs.ResolveAsync(ns.Id, r.WorkflowExecution, null, ct);
        var open = await updater.ReadAsync(key, (s, _) => s.IsOpen, ct);
        if (open)
        {
            try
            {
                await terminator.TerminateAsync(key, "Delete workflow execution", null, "history-service", ct);
            }
            catch (EntityNotFoundException)
            {
                // closed meanwhile
            }
        }
        await updater.LockedThenEvictAsync(key, async ctx =>
        {
            await store.DeleteExecutionAsync(key, ownership.Fence(key), CancellationToken.None);
            ctx.State = null;
        }, ct);
    }
}
