namespace Tempora.Persistence.Schedules;

/// <summary>Schedules: their rows and the writes that change them, each conditional on the version read.</summary>
public interface IScheduleStore
{
    /// <summary>
    /// Applies one write in its own transaction; throws <see cref="ScheduleConditionFailedException"/> when the row
    /// is not at the expected version (or exists, for a create).
    /// </summary>
    Task WriteAsync(ScheduleWrite write, CancellationToken ct);

    Task<ScheduleRecord?> GetAsync(string namespaceId, string scheduleId, CancellationToken ct);

    /// <summary>Every schedule of the given shards (what their owner drives).</summary>
    Task<IReadOnlyList<ScheduleRecord>> LoadAsync(ShardSet shards, CancellationToken ct);
}
