using Temporalio.Api.Enums.V1;

namespace Tempora.History.Execution;

/// <summary>
/// Which of an activity's timeouts is due, in Temporal's timer-sequence order: deadline, then event id, then timeout
/// type (START_TO_CLOSE, SCHEDULE_TO_START, SCHEDULE_TO_CLOSE, HEARTBEAT). A fired activity timer handles the first due
/// one, whichever timer it was: upstream's executeActivityTimeoutTask walks every expired timer of the run in this order
/// (service/history/workflow/timer_sequence.go, timer_queue_active_task_executor.go), so a schedule-to-start equal to
/// schedule-to-close times out as SCHEDULE_TO_START even though only the schedule-to-close timer is armed then.
/// </summary>
internal static class ActivityTimeoutSequence
{
    /// <summary>
    /// The first timeout due at <paramref name="now"/>, or null. <paramref name="fired"/> is the type of the timer that
    /// fired when it still applies to the current attempt; it counts as due even if the stored times round differently.
    /// </summary>
    public static TimeoutType? FirstDue(ActivityInfo a, DateTimeOffset now, TimeoutType? fired)
    {
        // Temporal stamps an eager start a moment after the schedule (its clock moves between the two writes), so a
        // deadline counted from that start falls just after an equal one counted from the schedule. Tempora stamps
        // both with the transition's time; the tie-break below restores upstream's order.
        var startedWithSchedule = a.StartedTime == a.ScheduledTime;
        (DateTimeOffset Deadline, int AfterSchedule, TimeoutType Type)? first = null;
        void Consider(TimeoutType type, TimeSpan timeout, DateTimeOffset from, bool fromStart)
        {
            if (timeout <= TimeSpan.Zero)
            {
                return;
            }
            var deadline = from + timeout;
            if (deadline > now && fired != type)
            {
                return;
            }
            var candidate = (deadline, fromStart && startedWithSchedule ? 1 : 0, type);
            if (first is not { } best || Compare(candidate, best) < 0)
            {
                first = candidate;
            }
        }
        Consider(TimeoutType.ScheduleToClose, a.ScheduleToCloseTimeout, a.ScheduledTime, fromStart: false);
        if (a.StartedTime is { } started)
        {
            Consider(TimeoutType.StartToClose, a.StartToCloseTimeout, started, fromStart: true);
            Consider(TimeoutType.Heartbeat, a.HeartbeatTimeout, a.LastHeartbeatTime ?? started, fromStart: a.LastHeartbeatTime is null);
        }
        else if (a.TaskId != 0)
        {
            // Dispatched and waiting for a worker (an attempt waiting out its retry backoff has no task yet).
            Consider(TimeoutType.ScheduleToStart, a.ScheduleToStartTimeout, a.CurrentAttemptScheduledTime, fromStart: false);
        }
        return first?.Type;
    }

    private static int Compare((DateTimeOffset Deadline, int AfterSchedule, TimeoutType Type) x, (DateTimeOffset Deadline, int AfterSchedule, TimeoutType Type) y)
    {
        var byDeadline = x.Deadline.CompareTo(y.Deadline);
        if (byDeadline != 0)
        {
            return byDeadline;
        }
        return x.AfterSchedule != y.AfterSchedule ? x.AfterSchedule.CompareTo(y.AfterSchedule) : ((int)x.Type).CompareTo((int)y.Type);
    }
}
