using Tempora.Core.Errors;
using Tempora.Core.Metrics;
using Tempora.History.Execution;
using Tempora.History.Queues;
using Tempora.History.Updates;
using Tempora.Persistence;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;

namespace Tempora.History.Api;

/// <summary>
/// Carries out a durable timer the timer queue found due, in a transition of its run that deletes its row.
/// </summary>
internal sealed class TimerTaskHandler(IExecutionStore store, WorkflowUpdater updater, IMetrics metrics)
{
    /// <summary>Fires one durable timer (called by the timer queue).</summary>
    public async Task ProcessTimerAsync(TimerTaskRecord timer, CancellationToken ct)
    {
        var info = StateSerializer.DeserializeValue<TimerTaskInfo>(timer.Data);
        metrics.Increment(MetricNames.TimerTaskFired, info.Kind.ToString());
        try
        {
            await updater.UpdateAsync(timer.Key, t =>
            {
                if (!t.State.IsOpen)
                {
                    return 0; // closing the run deleted its timer rows already
                }
                t.DeleteTimer(timer.TaskId);
                FireTimer(t, info, timer);
                return 0;
            }, ct);
        }
        catch (EntityNotFoundException)
        {
            await store.DeleteTasksAsync([timer.TaskId], [], ct);
        }
    }

    /// <summary>Applies a fired timer; each kind first checks that the state it was armed for still holds.</summary>
    private static void FireTimer(Transition t, TimerTaskInfo info, TimerTaskRecord timer)
    {
        var s = t.State;
        switch (info.Kind)
        {
            case TimerTaskKind.UserTimer:
                t.FireTimer(info.TimerId, info.EventId);
                break;
            case TimerTaskKind.WorkflowRunTimeout:
                t.TimeoutRun();
                break;
            case TimerTaskKind.WorkflowBackoff:
                t.ScheduleWorkflowTask();
                break;
            case TimerTaskKind.WorkflowTaskTimeout:
                if (s.WorkflowTask is not { } wft || wft.ScheduledEventId != info.EventId || wft.Attempt != info.Attempt || wft.TimeoutTaskId != timer.TaskId)
                {
                    break;
                }
                if (info.TimeoutType == TimeoutType.StartToClose && wft.IsStarted)
                {
                    t.FailWorkflowTask(e => TimedOut(e, wft.ScheduledEventId, wft.StartedEventId, TimeoutType.StartToClose));
                }
                else if (info.TimeoutType == TimeoutType.ScheduleToStart && !wft.IsStarted)
                {
                    // The sticky worker did not pick the task up: retry on the normal queue, same attempt (§3.6).
                    t.FailWorkflowTask(e => TimedOut(e, wft.ScheduledEventId, 0, TimeoutType.ScheduleToStart), incrementAttempt: false);
                }
                break;
            case TimerTaskKind.ActivityTimeout:
                FireActivityTimeout(t, info, timer);
                break;
            case TimerTaskKind.ActivityRetry:
                if (s.Activities.TryGetValue(info.EventId, out var retrying) && retrying.Attempt == info.Attempt && !retrying.IsStarted && retrying.TaskId == 0
                    && !retrying.Paused)
                {
                    retrying.TimerTaskIds.Remove(timer.TaskId);
                    t.StartActivityRetry(retrying);
                }
                break;
            case TimerTaskKind.NexusOperationTimeout:
                if (s.NexusOperations.TryGetValue(info.EventId, out var timedOut) && NexusTimeoutIsCurrent(timedOut, info.TimeoutType, timer.TaskId))
                {
                    t.RecordNexusOperationTimedOut(timedOut, info.TimeoutType == TimeoutType.Unspecified ? TimeoutType.ScheduleToClose : info.TimeoutType);
                }
                break;
            case TimerTaskKind.NexusOperationRetry:
                if (s.NexusOperations.TryGetValue(info.EventId, out var backingOff) && backingOff.State == NexusOperationState.BackingOff
                    && backingOff.Attempt == info.Attempt && backingOff.RetryTimerTaskId == timer.TaskId)
                {
                    t.RetryNexusOperation(backingOff);
                }
                break;
            case TimerTaskKind.NexusCancellationRetry:
                if (s.NexusOperations.TryGetValue(info.EventId, out var canceling) && canceling.Cancellation is { State: NexusCancellationState.BackingOff } c
                    && c.Attempt == info.Attempt && c.RetryTimerTaskId == timer.TaskId)
                {
                    t.RetryNexusCancellation(canceling);
                }
                break;
        }
    }

    /// <summary>Whether a Nexus operation's timeout timer is the one armed now (a timer of another start is stale).</summary>
    private static bool NexusTimeoutIsCurrent(NexusOperationInfo op, TimeoutType type, long taskId) => type switch
    {
        TimeoutType.ScheduleToStart => !op.IsStarted && op.ScheduleToStartTimerTaskId == taskId,
        TimeoutType.StartToClose => op.IsStarted && op.StartToCloseTimerTaskId == taskId,
        _ => op.TimeoutTimerTaskId == taskId,
    };

    private static void FireActivityTimeout(Transition t, TimerTaskInfo info, TimerTaskRecord timer)
    {
        if (!t.State.Activities.TryGetValue(info.EventId, out var activity))
        {
            return;
        }
        activity.TimerTaskIds.Remove(timer.TaskId);
        if (activity.Paused)
        {
            // As Temporal's timer sequence: a paused activity does not time out; unpausing arms its timeouts again.
            if (activity.ScheduleToCloseTimerTaskId == timer.TaskId)
            {
                activity.ScheduleToCloseTimerTaskId = 0;
            }
            t.MarkChanged();
            return;
        }
        var current = info.TimeoutType switch
        {
            TimeoutType.ScheduleToClose => true,
            TimeoutType.ScheduleToStart => activity.Attempt == info.Attempt && !activity.IsStarted,
            _ => activity.Attempt == info.Attempt && activity.IsStarted,
        };
        if (current && info.TimeoutType == TimeoutType.Heartbeat)
        {
            var deadline = (activity.LastHeartbeatTime ?? activity.StartedTime!.Value) + activity.HeartbeatTimeout;
            if (deadline > t.Now)
            {
                // A heartbeat arrived since the timer was armed: re-arm for the new deadline instead of writing per heartbeat.
                activity.TimerTaskIds.Add(t.AddTimer(deadline, info));
                current = false;
            }
        }
        // Whichever timer fired, the activity's first due timeout in Temporal's order wins; it closes or retries the
        // activity, which leaves the others stale.
        if (ActivityTimeoutSequence.FirstDue(activity, t.Now, current ? info.TimeoutType : null) is { } type)
        {
            t.TimeoutActivity(activity, type);
        }
    }

    private static HistoryEvent TimedOut(HistoryEvent e, long scheduledEventId, long startedEventId, TimeoutType type)
    {
        e.EventType = EventType.WorkflowTaskTimedOut;
        e.WorkflowTaskTimedOutEventAttributes = new WorkflowTaskTimedOutEventAttributes
        {
            ScheduledEventId = scheduledEventId,
            StartedEventId = startedEventId,
            TimeoutType = type,
        };
        return e;
    }
}
