namespace Tempora.Persistence;

/// <summary>
/// Another process took over the shard (its fencing token moved on): this process must not write for it any more.
/// The write that found out was rolled back.
/// </summary>
public sealed class ShardOwnershipLostException(int shardId)
    : Exception($"Shard {shardId} is owned by another Tempora process now; this process stopped writing to it.")
{
    public int ShardId { get; } = shardId;
}
