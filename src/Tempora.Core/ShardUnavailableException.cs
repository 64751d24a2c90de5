namespace Tempora.Core;

/// <summary>
/// The shard a request needs is not served by this process and has no owner it could be sent to this instant (it is
/// moving between processes, or its owner died and the lease has not run out yet). Transient: answered Unavailable,
/// which the SDKs retry; durable tasks retry by themselves.
/// </summary>
public sealed class ShardUnavailableException(int shardId)
    : Exception($"Shard {shardId} {MessageMarker}; retry shortly.")
{
    /// <summary>Part of the message, by which a forwarding process recognises this answer of its peer.</summary>
    public const string MessageMarker = "is moving between Tempora processes";

    public int ShardId { get; } = shardId;
}
