using Google.Protobuf.WellKnownTypes;
using Tempora.History.Queues;
using Temporalio.Api.Activity.V1;
using Temporalio.Api.Enums.V1;

namespace Tempora.History.Execution;

/// <summary>
/// The operator's controls of a pending activity: pause, unpause, reset and options updates (Temporal's
/// service/history/workflow/activity.go). They change only bookkeeping, as in Temporal: no event is written, and the
/// options the ActivityTaskScheduled event gave stay recoverable (<see cref="ActivityInfo.OriginalOptions"/>).
/// </summary>
internal sealed partial class Transition
{
    /// <summary>
    /// Pauses the activity. A waiting attempt loses its queued task (or retry timer) so that it is not dispatched; a
    /// started one runs on and is told through its heartbeat response. Pausing a paused activity changes nothing.
    /// </summary>
    public void PauseActivity(ActivityInfo a, string identity, string reason)
    {
        if (a.Paused)
        {
            return;
        }
        a.Paused = true;
        a.PauseInfo = new ActivityPauseInfo { PauseTime = Now, Identity = identity, Reason = reason };
        if (!a.IsStarted)
        {
            RetireAttempt(a);
        }
        MarkChanged();
    }

    /// <summary>
    /// Unpauses the activity: a waiting attempt is dispatched now (or at a random point within <paramref name="jitter"/>),
    /// a started one gets its timeouts back. <paramref name="resetAttempts"/> makes the next attempt 1 (the current one
    /// when it is waiting); <paramref name="resetHeartbeat"/> drops the recorded heartbeat details.
    /// </summary>
    public void UnpauseActivity(ActivityInfo a, bool resetAttempts, bool resetHeartbeat, TimeSpan jitter)
    {
        if (!a.Paused)
        {
            return;
        }
        a.Paused = false;
        a.PauseInfo = null;
        if (resetHeartbeat)
        {
            a.HeartbeatDetails = null;
        }
        if (a.IsStarted)
        {
            // The running attempt keeps its number, so that its task token stays valid; the next one is 1.
            a.AttemptsReset |= resetAttempts;
            RearmActivityTimers(a);
        }
        else
        {
            if (resetAttempts)
            {
                a.Attempt = 1;
            }
            if (resetHeartbeat)
            {
                a.LastHeartbeatTime = null;
            }
            RedispatchActivity(a, jitter);
        }
        MarkChanged();
    }

    /// <summary>
    /// Resets the activity to attempt 1. A waiting attempt becomes attempt 1 and is dispatched now (or within
    /// <paramref name="jitter"/>), unpaused unless <paramref name="keepPaused"/>. A started attempt runs on: its heartbeats
    /// answer activity_reset and the attempt after it is 1 (Temporal sets the attempt at once, which makes the running
    /// attempt's task token stale; here its heartbeats and its result are still taken).
    /// </summary>
    public void ResetActivity(ActivityInfo a, bool resetHeartbeat, bool keepPaused, bool restoreOriginalOptions, TimeSpan jitter)
    {
        if (restoreOriginalOptions && a.OriginalOptions is { } original)
        {
            SetActivityOptions(a, original);
        }
        MarkChanged();
        if (a.IsStarted)
        {
            a.ResetRequested = true;
            a.AttemptsReset = true;
            a.ResetHeartbeatRequested |= resetHeartbeat;
            if (restoreOriginalOptions && !a.Paused)
            {
                RearmActivityTimers(a);
            }
            return;
        }
        a.Attempt = 1;
        if (resetHeartbeat)
        {
            a.HeartbeatDetails = null;
            a.LastHeartbeatTime = null;
        }
        if (a.Paused && keepPaused)
        {
            return;
        }
        a.Paused = false;
        a.PauseInfo = null;
        RedispatchActivity(a, jitter);
    }

    /// <summary>
    /// Gives the activity new options (already merged and validated), for the current attempt and the ones after it:
    /// a started attempt gets its timeouts re-armed, a waiting one is queued again (on the new task queue).
    /// </summary>
    public void UpdateActivityOptions(ActivityInfo a, ActivityOptions options)
    {
        SetActivityOptions(a, options);
        MarkChanged();
        if (a.Paused)
        {
            return; // unpausing arms what the new options say
        }
        if (a.IsStarted)
        {
            RearmActivityTimers(a);
            return;
        }
        // A retry waiting out its backoff waits what the new policy says from the failed attempt's end (as Temporal's
        // GetNextScheduledTime); a queued attempt is queued again.
        var at = Now;
        if (a.TaskId == 0 && a.Attempt > 1 && a.LastAttemptCompleteTime is { } ended
            && RetryPolicies.NextBackoff(a.RetryPolicy, a.Attempt - 1, null, Now, null).Delay is { } backoff)
        {
            at = ended + backoff;
        }
        RetireAttempt(a);
        RearmScheduleToClose(a);
        DispatchActivityAttemptAt(a, at);
    }

    /// <summary>The activity's current options, as Describe and UpdateActivityOptions show them.</summary>
    public static ActivityOptions OptionsOf(ActivityInfo a) => new()
    {
        TaskQueue = new Temporalio.Api.TaskQueue.V1.TaskQueue { Name = a.TaskQueue, Kind = TaskQueueKind.Normal },
        ScheduleToCloseTimeout = Duration.FromTimeSpan(a.ScheduleToCloseTimeout),
        ScheduleToStartTimeout = Duration.FromTimeSpan(a.ScheduleToStartTimeout),
        StartToCloseTimeout = Duration.FromTimeSpan(a.StartToCloseTimeout),
        HeartbeatTimeout = Duration.FromTimeSpan(a.HeartbeatTimeout),
        RetryPolicy = a.RetryPolicy.Clone(),
    };

    /// <summary>Sets the options, keeping the event's as the original the first time they change.</summary>
    private static void SetActivityOptions(ActivityInfo a, ActivityOptions options)
    {
        a.OriginalOptions ??= OptionsOf(a);
        a.TaskQueue = options.TaskQueue.Name;
        a.ScheduleToCloseTimeout = options.ScheduleToCloseTimeout?.ToTimeSpan() ?? TimeSpan.Zero;
        a.ScheduleToStartTimeout = options.ScheduleToStartTimeout?.ToTimeSpan() ?? TimeSpan.Zero;
        a.StartToCloseTimeout = options.StartToCloseTimeout?.ToTimeSpan() ?? TimeSpan.Zero;
        a.HeartbeatTimeout = options.HeartbeatTimeout?.ToTimeSpan() ?? TimeSpan.Zero;
        a.RetryPolicy = options.RetryPolicy.Clone();
        if (OptionsOf(a).Equals(a.OriginalOptions))
        {
            a.OriginalOptions = null; // back to what the event says
        }
    }

    /// <summary>A waiting attempt is queued again, now or at a random point within <paramref name="jitter"/>.</summary>
    private void RedispatchActivity(ActivityInfo a, TimeSpan jitter)
    {
        RetireAttempt(a);
        a.LastFailure = null; // as Temporal's regenerated retry task
        RearmScheduleToClose(a);
        var at = jitter > TimeSpan.Zero ? Now + TimeSpan.FromTicks(Random.Shared.NextInt64(jitter.Ticks)) : Now;
        DispatchActivityAttemptAt(a, at);
    }

    /// <summary>Queues the current attempt at <paramref name="at"/>: at once when due, else through a retry timer.</summary>
    private void DispatchActivityAttemptAt(ActivityInfo a, DateTimeOffset at)
    {
        if (at <= Now)
        {
            DispatchActivityAttempt(a);
            return;
        }
        a.CurrentAttemptScheduledTime = at;
        a.TimerTaskIds.Add(AddTimer(at, new TimerTaskInfo(TimerTaskKind.ActivityRetry, a.ScheduledEventId, a.Attempt)));
    }

    /// <summary>
    /// Arms a started attempt's timeouts again from its start (and last heartbeat), with the current options; timers that
    /// fired while it was paused were dropped, and a deadline already past fires at once.
    /// </summary>
    private void RearmActivityTimers(ActivityInfo a)
    {
        foreach (var id in a.TimerTaskIds)
        {
            DeleteTimer(id);
        }
        a.TimerTaskIds = [];
        RearmScheduleToClose(a);
        var started = a.StartedTime!.Value;
        a.TimerTaskIds.Add(AddTimer(started + a.StartToCloseTimeout,
            new TimerTaskInfo(TimerTaskKind.ActivityTimeout, a.ScheduledEventId, a.Attempt, TimeoutType.StartToClose)));
        if (a.HeartbeatTimeout > TimeSpan.Zero)
        {
            a.TimerTaskIds.Add(AddTimer((a.LastHeartbeatTime ?? started) + a.HeartbeatTimeout,
                new TimerTaskInfo(TimerTaskKind.ActivityTimeout, a.ScheduledEventId, a.Attempt, TimeoutType.Heartbeat)));
        }
    }

    private void RearmScheduleToClose(ActivityInfo a)
    {
        DeleteTimer(a.ScheduleToCloseTimerTaskId);
        a.ScheduleToCloseTimerTaskId = 0;
        ArmScheduleToCloseTimeout(a);
    }
}
