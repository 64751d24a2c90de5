namespace Tempora.Core;

/// <summary>Where a shard is served right now.</summary>
public enum ShardRouteKind
{
    /// <summary>This process owns the shard's lease: serve here.</summary>
    Local,

    /// <summary>Another live process owns it: forward to <see cref="ShardRoute.Address"/>.</summary>
    Remote,

    /// <summary>Nobody holds it this instant (moving between processes, or its owner died): retry shortly.</summary>
    Unowned,
}

/// <summary>The owner of a shard as this process last saw it; <paramref name="Address"/> is the owner's gRPC host:port.</summary>
public readonly record struct ShardRoute(ShardRouteKind Kind, string? Address = null)
{
    public static ShardRoute Local { get; } = new(ShardRouteKind.Local);
}

/// <summary>
/// Which process serves which shard. One process alone (SQLite, or a single replica) owns them all; several replicas
/// on one PostgreSQL split them (<c>ShardLeases</c>) and forward each request to its shard's owner.
/// </summary>
public interface IShardOwnership
{
    /// <summary>Number of shards (fixed for the life of the database).</summary>
    int Count { get; }

    ShardRoute Route(int shard);

    /// <summary>gRPC addresses of the other live processes of the cluster (for polls, which any of them may answer).</summary>
    IReadOnlyList<string> Peers { get; }

    /// <summary>
    /// True when this process owns every shard for good (one process alone, without leases): no request is ever
    /// routed elsewhere, and routing can step aside.
    /// </summary>
    bool OwnsEveryShard { get; }

    /// <summary>
    /// The fencing token a write to <paramref name="key"/>'s run carries now; throws
    /// <c>ShardOwnershipLostException</c> when its shard is not (or no longer) this process's.
    /// </summary>
    ShardFence Fence(WorkflowKey key);
}

public static class ShardOwnershipExtensions
{
    /// <summary>Where the runs of a workflow id are served (all runs of an id share its shard).</summary>
    public static ShardRoute Route(this IShardOwnership shards, string namespaceId, string workflowId) =>
        shards.Route(Shards.Of(namespaceId, workflowId, shards.Count));

    public static bool IsLocal(this IShardOwnership shards, string namespaceId, string workflowId) =>
        shards.Route(namespaceId, workflowId).Kind == ShardRouteKind.Local;
}

/// <summary>Told when shards arrive at or leave this process, so that it loads or drops what it holds for them.</summary>
public interface IShardListener
{
    /// <summary>Called before the shards' writes are allowed here: forget anything cached for them.</summary>
    void ShardsReleased(IReadOnlyCollection<int> shards);

    /// <summary>Called once the shards are owned: load their durable timers and tasks.</summary>
    Task ShardsAcquiredAsync(IReadOnlyCollection<int> shards, CancellationToken ct);
}
