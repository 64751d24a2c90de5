using Tempora.Core;
using Tempora.History.Updates;

namespace Tempora.History.Api;

/// <summary>What a history read needs of the run, taken under its lock, and the wait for it to change (long polls).</summary>
internal sealed class HistorySnapshots(WorkflowUpdater updater, IShardOwnership ownership)
{
    public Task<HistorySnapshot> TakeAsync(WorkflowKey key, CancellationToken ct) => updater.ReadAsync(key, (s, ctx) =>
        new HistorySnapshot(s.IsOpen, s.NextEventId, ctx.Changed.Task, s.IsOpen
            ? updater.NewTransition(s).TransientWorkflowTaskEvents()
            : []), ct);

    public async Task<HistorySnapshot> WaitForChangeAsync(WorkflowKey key, HistorySnapshot snapshot, Func<HistorySnapshot, bool> done,
        TimeSpan maxWait, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(maxWait);
        try
        {
            while (!done(snapshot))
            {
                await snapshot.Changed.WaitAsync(timeout.Token);
                if (!ownership.IsLocal(key.NamespaceId, key.WorkflowId))
                {
                    // The shard moved to another process while this waited: the client's retry reaches the new owner,
                    // which is where the run's next events are written.
                    throw new ShardUnavailableException(Shards.Of(key.NamespaceId, key.WorkflowId, ownership.Count));
                }
                snapshot = await TakeAsync(key, ct);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // waited long enough: answer with what there is
        }
        return snapshot;
    }
}
