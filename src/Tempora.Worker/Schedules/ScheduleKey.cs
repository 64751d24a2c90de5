namespace Tempora.Worker.Schedules;

/// <summary>A schedule by namespace id and schedule id.</summary>
public readonly record struct ScheduleKey(string NamespaceId, string ScheduleId);
