using Google.Protobuf.WellKnownTypes;
using Tempora.History.Execution;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Workflow.V1;

namespace Tempora.History.Api;

/// <summary>How Describe shows a pending activity's state and pause, as Temporal's GetPendingActivityInfo does.</summary>
internal static class PendingActivityStates
{
    /// <summary>
    /// A paused activity waiting for a worker is PAUSED; a paused one still running on a worker is PAUSE_REQUESTED (it
    /// learns it at its next heartbeat); a cancel request outranks both.
    /// </summary>
    public static PendingActivityState Of(ActivityInfo a) => a switch
    {
        { CancelRequested: true } => PendingActivityState.CancelRequested,
        { Paused: true, IsStarted: true } => PendingActivityState.PauseRequested,
        { Paused: true } => PendingActivityState.Paused,
        { IsStarted: true } => PendingActivityState.Started,
        _ => PendingActivityState.Scheduled,
    };

    public static PendingActivityInfo.Types.PauseInfo? PauseInfoOf(ActivityInfo a) => a.PauseInfo is { } p
        ? new PendingActivityInfo.Types.PauseInfo
        {
            PauseTime = Timestamp.FromDateTimeOffset(p.PauseTime),
            Manual = new PendingActivityInfo.Types.PauseInfo.Types.Manual { Identity = p.Identity, Reason = p.Reason },
        }
        : null;
}
