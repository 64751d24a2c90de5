namespace Tempora.Persistence.Schedules;

/// <summary>A schedule write found the row at another version than it expected (or present, for a create): someone
/// else wrote it first. Nothing of the transaction was written.</summary>
public sealed class ScheduleConditionFailedException(string namespaceId, string scheduleId, long expectedVersion)
    : Exception($"Schedule {scheduleId} in namespace {namespaceId} is no longer at version {expectedVersion}.")
{
    public string NamespaceId { get; } = namespaceId;

    public string ScheduleId { get; } = scheduleId;

    public long ExpectedVersion { get; } = expectedVersion;
}
