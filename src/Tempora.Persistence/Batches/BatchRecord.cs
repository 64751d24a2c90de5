namespace Tempora.Persistence.Batches;

/// <summary>
/// One batch operation as the store holds it. <paramref name="State"/> is Temporal's BatchOperationState number
/// (1 running, 2 completed, 3 failed), kept in a column so that running batches can be counted and loaded;
/// <paramref name="Version"/> orders writes (each expects the version it read and stores the next);
/// <paramref name="ExpireTime"/> is when a closed batch is dropped (the namespace's retention after its close);
/// <paramref name="Data"/> is owned by the worker role (the request, the cursor, the counts; opaque here).
/// <paramref name="ShardId"/> is the shard of its job id, whose owner runs it.
/// </summary>
public sealed record BatchRecord(
    string NamespaceId, string JobId, int ShardId, long Version, int State, DateTimeOffset StartTime, DateTimeOffset? ExpireTime,
    byte[] Data)
{
    public const int Running = 1;
}
