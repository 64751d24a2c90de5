using Tempora.Core;
using Tempora.Core.Metrics;

namespace Tempora.Cluster.Membership;

/// <summary>A process that owns every shard and has no peers (SQLite, tests): its writes carry an unleased fence.</summary>
public sealed class SingleProcessShards(int count, IMetrics? metrics = null) : IClusterMembership
{
    public int Count { get; } = count;

    public IReadOnlyList<string> Peers => [];

    public bool OwnsEveryShard => true;

    public IReadOnlyCollection<int> OwnedShards => [.. Enumerable.Range(1, Count)];

    public ShardRoute Route(int shard) => ShardRoute.Local;

    public ShardFence Fence(WorkflowKey key) => new(Shards.Of(key.NamespaceId, key.WorkflowId, Count), ShardFence.Unleased);

    public async Task JoinAsync(IShardListener listener, string address, CancellationToken ct)
    {
        await listener.ShardsAcquiredAsync(OwnedShards, ct);
        (metrics ?? NullMetrics.Instance).Set(MetricNames.NumShards, Count);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
