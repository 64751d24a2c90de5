using Tempora.Persistence.Schedules;

namespace Tempora.History.Api;

/// <summary>
/// A workflow start a schedule causes: the complete StartWorkflowExecutionRequest (protobuf bytes), the run id
/// the schedule recorded for it, and the schedule's write that must commit with the start or not at all.
/// </summary>
public sealed record ScheduledStartCall(string NamespaceId, byte[] Request, string RunId, ScheduleWrite Schedule);

/// <summary>How a scheduled start ended: started (<paramref name="Started"/>) or refused because the workflow id is
/// running (<paramref name="RunningRunId"/> names that run).</summary>
public sealed record ScheduledStartOutcome(bool Started, string? RunningRunId);
