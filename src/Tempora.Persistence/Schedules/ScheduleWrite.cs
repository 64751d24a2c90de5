using Tempora.Visibility;

namespace Tempora.Persistence.Schedules;

/// <summary>
/// A change to one schedule row, applied only if the row is still at <paramref name="ExpectedVersion"/> (0: no row
/// may exist, the write creates it). <paramref name="Record"/> is the row after the write (its Version is
/// ExpectedVersion + 1), or null to delete the row. The schedule's visibility row (Temporal lists schedules through
/// visibility) is written with it: <paramref name="Visibility"/> replaces it, or it is deleted with the row.
/// Written alone (<see cref="IScheduleStore.WriteAsync"/>) or in the transaction of the workflow start it causes
/// (<see cref="ExecutionMutation.Schedule"/>).
/// </summary>
public sealed record ScheduleWrite(
    string NamespaceId, string ScheduleId, long ExpectedVersion, ScheduleRecord? Record, VisibilityRecord? Visibility);
