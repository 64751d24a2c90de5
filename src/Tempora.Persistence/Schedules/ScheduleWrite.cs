using Tempora.Visibility;

namespace Tempora.Persistence.Schedules;

/// <summary>
/// A change to one schedule row, applied only if the row is still at <paramref name="ExpectedVersion"/> (0: no row
/// may exist, the write creates it). <paramref name="Record"/> is the row after the write (its Version is
/// ExpectedVersion + 1), or null to delete the row. The schedule's visibility row (Temporal lists schedules through
/// visibility) is written with it: <paramref name="Visibility"/> replaces it, or it is deleted with the row.
/// Written alone (<see cref="IScheduleStore.WriteAsync"/>) or in the transaction of the workflow start it causes
/// (<see cref="ExecutionMutation.Schedule"/>).
/// <para>
/// The store remembers the run id of the last visibility row a write gave, and a delete removes that row: so the run
/// id must stay the same for the schedule's life, and a delete carries no <paramref name="Visibility"/>. A null
/// <paramref name="Visibility"/> on a create or update leaves the visibility row as it is. Visibility rows replace
/// each other by their own Version (an older one is ignored), so it should grow with the schedule's.
/// </para>
/// </summary>
public sealed record ScheduleWrite(
    string NamespaceId, string ScheduleId, long ExpectedVersion, ScheduleRecord? Record, VisibilityRecord? Visibility)
{
    /// <summary>The write creates the row (none may exist).</summary>
    public bool IsCreate => ExpectedVersion == 0;

    /// <summary>The write deletes the row.</summary>
    public bool IsDelete => Record is null;

    /// <summary>Throws <see cref="ArgumentException"/> when the write contradicts itself (a caller's bug, not a race):
    /// the record of another schedule or at another version than ExpectedVersion + 1, a delete of nothing, a delete
    /// with a visibility row, a visibility row of another namespace.</summary>
    public void ThrowIfInconsistent()
    {
        var error = this switch
        {
            { ExpectedVersion: < 0 } => "ExpectedVersion is negative",
            { Record: null, ExpectedVersion: 0 } => "a delete needs the version of the row it deletes",
            { Record: null, Visibility: not null } => "a delete removes the visibility row the schedule wrote; it carries none",
            { Record: { } r } when r.NamespaceId != NamespaceId || r.ScheduleId != ScheduleId => "the record is of another schedule",
            { Record: { } r } when r.Version != ExpectedVersion + 1 => $"the record's version must be {ExpectedVersion + 1}",
            { Visibility: { } v } when v.NamespaceId != NamespaceId => "the visibility row is of another namespace",
            _ => null,
        };
        if (error is not null)
        {
            throw new ArgumentException($"Inconsistent write of schedule {ScheduleId} in namespace {NamespaceId}: {error}.");
        }
    }
}
