namespace Tempora.Persistence.Schedules;

/// <summary>
/// One schedule as the store holds it. <paramref name="State"/> is owned by the worker role (opaque here);
/// <paramref name="Version"/> orders writes (each write expects the version it read and stores the next);
/// <paramref name="NextWakeTime"/> is when its owner must look at it again (null: only a request wakes it).
/// <paramref name="ShardId"/> is the shard of its scheduler key, whose owner drives it.
/// </summary>
public sealed record ScheduleRecord(
    string NamespaceId, string ScheduleId, int ShardId, long Version, DateTimeOffset? NextWakeTime, byte[] State);
