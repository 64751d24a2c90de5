using Tempora.Core;
using Tempora.History.Updates;

namespace Tempora.History.Api;

/// <summary>What a history read needs of the run, taken under its lock, and the wait for it to change (long polls).</summary>
internal sealed class HistorySnapshots(WorkflowUpdater updater, IShardOwnership ownership, TimeProvider time)
{
    public Task<HistorySnapshot> TakeAsync(WorkflowKey key, CancellationToken ct) => updater.ReadAsync(key, (s, ctx) =>
        new HistorySnapshot(s.IsOpen, s.NextEventId, ctx.Changed.Task, s.IsOpen
            ? updater.NewTransition(s).TransientWorkflowTaskEvents()
            : [])
        {
            NexusSerializationContext = s.NexusSerializationContext,
        }, ct);

    public async Task<HistorySnapshot> WaitForChangeAsync(WorkflowKey key, HistorySnapshot snapshot, Func<HistorySnapshot, bool> done,
        TimeSpan maxWait, CancellationToken ct)
    {
        // The deadline runs on the injected clock, so fake-clock tests can reach it without waiting.
        using var deadline = new CancellationTokenSource(maxWait, time);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
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
