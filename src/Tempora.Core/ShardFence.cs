namespace Tempora.Core;

/// <summary>
/// The shard a write belongs to and the fencing token (range id) under which this process owns it. Every write of a
/// run carries one: a store shared by several processes refuses it once another process has taken the shard over (the
/// token moved on); a store only one process can open has nothing to check.
/// </summary>
public readonly record struct ShardFence(int ShardId, long RangeId)
{
    /// <summary>The token of a shard owned without a lease, by a process alone on its store (leases start at 1).</summary>
    public const long Unleased = 0;

    /// <summary>True when the token comes from a lease and must be checked where the write commits.</summary>
    public bool IsLeased => RangeId != Unleased;
}
