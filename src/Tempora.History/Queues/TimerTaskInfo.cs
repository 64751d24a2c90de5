using Temporalio.Api.Enums.V1;

namespace Tempora.History.Queues;

/// <summary>What a durable timer does when it fires.</summary>
public enum TimerTaskKind
{
    UserTimer = 1,
    WorkflowTaskTimeout = 2,
    ActivityTimeout = 3,
    ActivityRetry = 4,
    WorkflowRunTimeout = 5,
    WorkflowBackoff = 6,

    // Immediate work on another run ("transfer tasks"): durable like timers, fired as soon as they commit.
    StartChild = 7,
    NotifyParent = 8,
    ParentClosePolicy = 9,
    SignalExternal = 10,
    CancelExternal = 11,
}

/// <summary>
/// The payload of a timer task. It names the state it was armed for (event id, attempt) so that a timer that fires
/// after that state moved on is recognised as stale and dropped.
/// </summary>
public sealed record TimerTaskInfo(TimerTaskKind Kind, long EventId = 0, int Attempt = 0, TimeoutType TimeoutType = TimeoutType.Unspecified, string TimerId = "")
{
    /// <summary>The run the task acts on, for work that crosses runs (parent, child, external target).</summary>
    public string TargetNamespaceId { get; init; } = "";
    public string TargetWorkflowId { get; init; } = "";
    public string TargetRunId { get; init; } = "";
    public ParentClosePolicy Policy { get; init; }

    /// <summary>The child's close event, for NotifyParent.</summary>
    public Temporalio.Api.History.V1.HistoryEvent? Event { get; init; }
}
