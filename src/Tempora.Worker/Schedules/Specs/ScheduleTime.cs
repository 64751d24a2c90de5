namespace Tempora.Worker.Schedules.Specs;

/// <summary>One due time of a spec: the time it matches (<paramref name="Nominal"/>) and when to act on it, jitter
/// added (<paramref name="Actual"/>).</summary>
public readonly record struct ScheduleTime(DateTimeOffset Nominal, DateTimeOffset Actual);
