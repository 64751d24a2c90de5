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

    // 7 to 11 were transfer work stored as timers before transfer tasks had a table of their own; such rows are
    // moved to transfer_tasks at start (LegacyTransferTimer), so these numbers stay unused.

    /// <summary>A Nexus operation's schedule-to-close timeout.</summary>
    NexusOperationTimeout = 12,

    /// <summary>The end of the backoff after a failed Nexus start request.</summary>
    NexusOperationRetry = 13,

    /// <summary>The end of the backoff after a failed Nexus cancel request.</summary>
    NexusCancellationRetry = 14,
}

/// <summary>
/// The payload of a timer task. It names the state it was armed for (event id, attempt) so that a timer that fires
/// after that state moved on is recognised as stale and dropped.
/// </summary>
internal sealed record TimerTaskInfo(TimerTaskKind Kind, long EventId = 0, int Attempt = 0, TimeoutType TimeoutType = TimeoutType.Unspecified, string TimerId = "");
