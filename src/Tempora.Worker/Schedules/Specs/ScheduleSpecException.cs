namespace Tempora.Worker.Schedules.Specs;

/// <summary>A spec Temporal would refuse (bad cron string or calendar, unknown time zone, zero interval…); the message
/// is the InvalidArgument message the frontend answers.</summary>
public sealed class ScheduleSpecException(string message) : Exception(message);
