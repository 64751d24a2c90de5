using Tempora.Core;
using Tempora.Core.Errors;
using Tempora.Persistence;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History;

public sealed partial class HistoryEngine
{
    /// <summary>Deletes a run with its history; a running run is terminated first, as upstream does.</summary>
    public async Task DeleteWorkflowExecutionAsync(NamespaceRecord ns, DeleteWorkflowExecutionRequest r, CancellationToken ct)
    {
        var key = await ResolveAsync(ns.Id, r.WorkflowExecution, null, ct);
        var open = await ReadAsync(key, (s, _) => s.IsOpen, ct);
        if (open)
        {
            try
            {
                await TerminateRunAsync(key, "Delete workflow execution", null, "history-service", ct);
            }
            catch (EntityNotFoundException)
            {
                // closed meanwhile
            }
        }
        var ctx = Context(key);
        await ctx.Lock.WaitAsync(ct);
        try
        {
            await store.DeleteExecutionAsync(key, ownership.Fence(key), CancellationToken.None);
            ctx.State = null;
        }
        finally
        {
            ctx.Lock.Release();
            Evict(key, ctx);
        }
    }
}
