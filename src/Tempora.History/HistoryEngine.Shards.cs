using Tempora.Core;
using Tempora.Persistence;

namespace Tempora.History;

/// <summary>
/// Shards arriving at and leaving this process. On arrival the shard's durable timers and tasks are loaded; on
/// departure (and again just before an arrival) whatever is cached for it is dropped, because another process may
/// have written to its runs in between.
/// </summary>
public sealed partial class HistoryEngine : IShardListener
{
    /// <summary>True when this process owns the run's shard now.</summary>
    public bool IsServedHere(WorkflowKey key) => _ownership.IsLocal(key.NamespaceId, key.WorkflowId);

    public void ShardsReleased(IReadOnlyCollection<int> shards)
    {
        var set = shards.ToHashSet();
        bool InSet(WorkflowKey key) => set.Contains(Shards.Of(key.NamespaceId, key.WorkflowId, _ownership.Count));
        foreach (var (key, ctx) in _runs.Entries)
        {
            if (InSet(key))
            {
                ctx.State = null;
                ctx.History = null;
                ctx.Visible = null;
                ctx.NotifyChanged(); // long polls waiting here re-check, and find the run served elsewhere now
            }
        }
        _timerQueue.Release(shards);
        _transferQueue.RemoveWhere(t => InSet(t.Key));
        // Only tasks backed by rows, which the new owner loads: a Nexus task's queue is the handler's namespace, not
        // its caller's, so this key would name an unrelated shard; it stays until taken or timed out.
        _dispatcher.Withdraw(t => !t.InMemoryOnly && InSet(new WorkflowKey(t.Queue.NamespaceId, t.WorkflowId, t.RunId)));
    }

    public async Task ShardsAcquiredAsync(IReadOnlyCollection<int> shards, CancellationToken ct)
    {
        // Owning every shard, one read of each table is cheapest; otherwise the shard_id indexes serve the shards taken.
        var set = shards.Count >= _ownership.Count ? ShardSet.All : ShardSet.Of(shards);
        foreach (var task in await _store.LoadMatchingTasksAsync(set, ct))
        {
            _dispatcher.Restore(task);
        }
        await _timerQueue.AcquireAsync(shards, ct); // a page per shard: what is due, not the whole timer table
        _transferQueue.Add(await _store.LoadTransferTasksAsync(set, ct));
    }
}
