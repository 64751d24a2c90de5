namespace Tempora.Persistence;

/// <summary>
/// The rows through which the processes sharing one database split its shards: the live members with their
/// addresses, and one lease per shard carrying its fencing token (range id). Only the reads and writes live here; who
/// takes which shard is decided by <c>Tempora.Cluster</c>'s ShardLeases. A store no second process can share (SQLite)
/// has none.
/// </summary>
public interface IShardLeaseStore
{
    /// <summary>Records <paramref name="count"/> at the first start; returns the count the database was set up with.</summary>
    Task<int> InitializeAsync(int count, CancellationToken ct);

    /// <summary>
    /// One round trip: registers or renews <paramref name="owner"/> at <paramref name="address"/>, renews the leases it
    /// still holds with the given fencing tokens, and reads the live members and every shard's lease.
    /// </summary>
    Task<LeaseRound> RenewAndReadAsync(string owner, string address, TimeSpan leaseDuration,
        IReadOnlyCollection<KeyValuePair<int, long>> owned, CancellationToken ct);

    /// <summary>Gives the leases of <paramref name="shards"/> up (their tokens stay, the next taker bumps them).</summary>
    Task GiveUpAsync(string owner, IReadOnlyList<int> shards, CancellationToken ct);

    /// <summary>
    /// Takes the shards that are free, expired, already <paramref name="owner"/>'s or held by one of
    /// <paramref name="predecessors"/>, bumping their fencing tokens once every write under the old token has ended;
    /// returns the shards taken with their new tokens.
    /// </summary>
    Task<IReadOnlyDictionary<int, long>> TakeAsync(string owner, TimeSpan leaseDuration, IReadOnlyList<int> shards,
        IReadOnlyCollection<string> predecessors, CancellationToken ct);

    /// <summary>Gives every lease of <paramref name="owner"/> up and removes it from the members.</summary>
    Task LeaveAsync(string owner, CancellationToken ct);

    /// <summary>
    /// The secret the processes sharing this database prove themselves to each other with: stores
    /// <paramref name="candidate"/> unless a secret is stored already, then returns the stored one (so that two
    /// processes starting at once end up with the same).
    /// </summary>
    Task<string> EnsureClusterSecretAsync(string candidate, CancellationToken ct);
}

/// <summary>A live process of the cluster and the gRPC address (host:port) the others reach it at.</summary>
public sealed record LeaseMember(string Owner, string Address);

/// <summary>A shard's lease as read: its holder, if any, and whether the lease is still running.</summary>
public sealed record ShardLeaseRow(int Shard, string? Owner, bool Live);

/// <summary>What one lease round read: the live members (sorted by owner), every shard's lease (sorted by shard),
/// and the shards whose leases the round renewed.</summary>
public sealed record LeaseRound(IReadOnlyList<LeaseMember> Members, IReadOnlyList<ShardLeaseRow> Shards, IReadOnlySet<int> Renewed);
