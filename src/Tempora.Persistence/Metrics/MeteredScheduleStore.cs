using Tempora.Core.Metrics;
using Tempora.Persistence.Schedules;
using static Tempora.Persistence.Metrics.PersistenceMetrics;

namespace Tempora.Persistence.Metrics;

/// <summary>Counts and times every schedule store call. Temporal keeps schedules in workflows and has no persistence
/// operations of their own; these names follow its pattern (CreateX, UpdateX, DeleteX, GetX).</summary>
public sealed class MeteredScheduleStore(IScheduleStore inner, IMetrics metrics) : IScheduleStore
{
    public Task WriteAsync(ScheduleWrite write, CancellationToken ct) =>
        MeasureAsync(metrics, OperationOf(write), () => inner.WriteAsync(write, ct));

    public Task<ScheduleRecord?> GetAsync(string namespaceId, string scheduleId, CancellationToken ct) =>
        MeasureAsync(metrics, "GetSchedule", () => inner.GetAsync(namespaceId, scheduleId, ct));

    public Task<IReadOnlyList<ScheduleRecord>> LoadAsync(ShardSet shards, CancellationToken ct) =>
        MeasureAsync(metrics, "GetSchedules", () => inner.LoadAsync(shards, ct));

    private static string OperationOf(ScheduleWrite write) =>
        write.IsDelete ? "DeleteSchedule" : write.IsCreate ? "CreateSchedule" : "UpdateSchedule";
}
