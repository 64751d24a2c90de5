using Tempora.Core;

namespace Tempora.Cluster.Membership;

/// <summary>
/// How this process comes to own its shards: all at once when it is alone (<see cref="SingleProcessShards"/>), or its
/// share of them by leases on a database several processes share (<see cref="ShardLeases"/>). Disposing it leaves the
/// cluster, handing the shards over at once.
/// </summary>
public interface IClusterMembership : IShardOwnership, IAsyncDisposable
{
    /// <summary>The shards this process owns now.</summary>
    IReadOnlyCollection<int> OwnedShards { get; }

    /// <summary>
    /// Takes this process's shards, telling <paramref name="listener"/> as they arrive and leave; the others reach it
    /// at <paramref name="address"/> (host:port). Returns once the first shards are loaded.
    /// </summary>
    Task JoinAsync(IShardListener listener, string address, CancellationToken ct);
}
