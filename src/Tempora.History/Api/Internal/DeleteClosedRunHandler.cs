using Tempora.Core;
using Tempora.History.Updates;
using Tempora.Persistence;

namespace Tempora.History.Api;

/// <summary>Deletes a closed run and everything it left (retention); an open or missing run is left alone.</summary>
internal sealed class DeleteClosedRunHandler(IExecutionStore store, WorkflowUpdater updater, IShardOwnership ownership)
{
    public Task HandleAsync(WorkflowKey key, CancellationToken ct) => updater.LockedThenEvictAsync(key, async ctx =>
    {
        try
        {
            // A missing run still has its visibility row removed (the row outlived it).
            var record = await store.GetExecutionAsync(key, ct);
            if (record is null || record.Status != (int)Temporalio.Api.Enums.V1.WorkflowExecutionStatus.Running)
            {
                await store.DeleteExecutionAsync(key, ownership.Fence(key), CancellationToken.None);
            }
        }
        finally
        {
            ctx.State = null;
        }
    }, ct);
}
