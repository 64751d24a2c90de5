namespace Tempora.Worker.Schedules;

/// <summary>A schedule request Temporal refuses with InvalidArgument (the message is Temporal's).</summary>
public sealed class ScheduleRequestException(string message) : Exception(message);
