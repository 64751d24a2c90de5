using Google.Protobuf.WellKnownTypes;
using Tempora.Core;
using Tempora.History.Queues;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Failure.V1;
using Temporalio.Api.History.V1;

namespace Tempora.History.Execution;

internal sealed partial class Transition
{
    /// <summary>
    /// Writes an ActivityTaskScheduled event (the activity is pending from then on) and queues its first attempt — or,
    /// when <paramref name="eagerWorker"/> names the worker completing this workflow task, starts it for that worker
    /// in this same transition (eager execution: the attempt goes back in the completion's response, not through a
    /// queue). Returns the pending activity.
    /// </summary>
    public ActivityInfo ScheduleActivity(HistoryEvent scheduled, string? eagerWorker = null)
    {
        WriteEvent(scheduled);
        var info = State.Activities[scheduled.EventId];
        if (eagerWorker is null)
        {
            DispatchActivityAttempt(info);
        }
        else
        {
            MarkActivityStarted(info, eagerWorker, Guid.NewGuid().ToString());
        }
        ArmScheduleToCloseTimeout(info);
        return info;
    }

    /// <summary>The schedule-to-close timeout spans all attempts: armed once, from the activity's schedule time.</summary>
    internal void ArmScheduleToCloseTimeout(ActivityInfo info)
    {
        if (info.ScheduleToCloseTimeout > TimeSpan.Zero)
        {
            info.ScheduleToCloseTimerTaskId = AddTimer(info.ScheduledTime + info.ScheduleToCloseTimeout,
                new TimerTaskInfo(TimerTaskKind.ActivityTimeout, info.ScheduledEventId, 0, TimeoutType.ScheduleToClose));
        }
    }

    /// <summary>Queues the current attempt and arms its schedule-to-start timeout.</summary>
    public void DispatchActivityAttempt(ActivityInfo info)
    {
        info.CurrentAttemptScheduledTime = Now;
        info.TaskId = AddMatchingTask(info.TaskQueue, TaskKind.Activity, info.ScheduledEventId, info.Attempt);
        // When schedule-to-start equals schedule-to-close the latter's timer covers it: when it fires, the activity's
        // due timeouts are taken in Temporal's order, and schedule-to-start comes first (ActivityTimeoutSequence).
        if (info.ScheduleToStartTimeout > TimeSpan.Zero && info.ScheduleToStartTimeout != info.ScheduleToCloseTimeout)
        {
            info.TimerTaskIds.Add(AddTimer(Now + info.ScheduleToStartTimeout,
                new TimerTaskInfo(TimerTaskKind.ActivityTimeout, info.ScheduledEventId, info.Attempt, TimeoutType.ScheduleToStart)));
        }
    }

    /// <summary>Records that a worker took the attempt; no event is written until the activity closes (§4.3).</summary>
    public void StartActivity(ActivityInfo info, MatchingTask task, string identity, string requestId,
        Temporalio.Api.Common.V1.WorkerVersionStamp? workerVersion = null)
    {
        DeleteMatchingTask(task.TaskId);
        MarkActivityStarted(info, identity, requestId);
        info.StartedWorkerVersion = workerVersion;
    }

    /// <summary>The attempt runs on <paramref name="identity"/> from now: its start-to-close and heartbeat timeouts are armed.</summary>
    private void MarkActivityStarted(ActivityInfo info, string identity, string requestId)
    {
        info.StartedTime = Now;
        info.StartedIdentity = identity;
        info.LastWorkerIdentity = identity;
        info.StartedRequestId = requestId;
        MarkChanged();
        info.TimerTaskIds.Add(AddTimer(Now + info.StartToCloseTimeout,
            new TimerTaskInfo(TimerTaskKind.ActivityTimeout, info.ScheduledEventId, info.Attempt, TimeoutType.StartToClose)));
        if (info.HeartbeatTimeout > TimeSpan.Zero)
        {
            info.TimerTaskIds.Add(AddTimer(Now + info.HeartbeatTimeout,
                new TimerTaskInfo(TimerTaskKind.ActivityTimeout, info.ScheduledEventId, info.Attempt, TimeoutType.Heartbeat)));
        }
    }

    /// <summary>
    /// An activity completed by id before any worker took it: it counts as started by the completing caller (no
    /// timeouts are armed, the completion retires it at once).
    /// </summary>
    public void StartActivityForCompletion(ActivityInfo info, string identity)
    {
        info.StartedTime = Now;
        info.StartedIdentity = identity;
        info.LastWorkerIdentity = identity;
        info.StartedRequestId = "";
        MarkChanged();
    }

    public void RecordActivityHeartbeat(ActivityInfo info, Payloads? details, string identity = "")
    {
        if (details is not null)
        {
            info.HeartbeatDetails = details;
        }
        if (!string.IsNullOrEmpty(identity))
        {
            info.LastWorkerIdentity = identity; // Describe shows who heartbeated last, as Temporal does
        }
        info.LastHeartbeatTime = Now;
        MarkChanged();
    }

    public void CompleteActivity(ActivityInfo info, Payloads? result, string identity)
    {
        var e = NewEvent(EventType.ActivityTaskCompleted);
        e.ActivityTaskCompletedEventAttributes = new ActivityTaskCompletedEventAttributes
        {
            ScheduledEventId = info.ScheduledEventId,
            Result = result,
            Identity = identity,
        };
        CloseActivity(info, e);
    }

    /// <summary>Fails the current attempt: retries after the backoff when the policy allows, else fails the activity.</summary>
    public void FailActivityAttempt(ActivityInfo info, Failure failure, Payloads? lastHeartbeatDetails, string identity,
        WorkerVersionStamp? workerVersion = null)
    {
        if (lastHeartbeatDetails is not null)
        {
            info.HeartbeatDetails = lastHeartbeatDetails;
        }
        var retryState = TryRetryActivity(info, failure);
        if (retryState == RetryState.InProgress)
        {
            return;
        }
        var e = NewEvent(EventType.ActivityTaskFailed);
        e.ActivityTaskFailedEventAttributes = new ActivityTaskFailedEventAttributes
        {
            ScheduledEventId = info.ScheduledEventId,
            Failure = failure,
            RetryState = retryState,
            Identity = identity,
#pragma warning disable CS0612 // deprecated in the API; Temporal still records it
            WorkerVersion = workerVersion,
#pragma warning restore CS0612
        };
        CloseActivity(info, e);
    }

    /// <summary>Activity timeouts this transition fired, counted (timeout metrics) once it commits.</summary>
    internal List<TimeoutType> ActivityTimeouts { get; } = [];

    /// <summary>
    /// Times the activity out (§4.1). Every timeout asks the retry policy, as Temporal's RetryActivity does: start-to-close
    /// and heartbeat may retry, schedule-to-start and schedule-to-close are never retryable (NON_RETRYABLE_FAILURE).
    /// </summary>
    public void TimeoutActivity(ActivityInfo info, TimeoutType type)
    {
        ActivityTimeouts.Add(type);
        var failure = new Failure
        {
            Message = $"activity {TimeoutName(type)} timeout",
            Source = "Server",
            TimeoutFailureInfo = new TimeoutFailureInfo { TimeoutType = type, LastHeartbeatDetails = info.HeartbeatDetails },
            Cause = info.LastFailure,
        };
        var retryState = TryRetryActivity(info, failure);
        if (retryState == RetryState.InProgress)
        {
            return;
        }
        if (retryState == RetryState.Timeout && type is TimeoutType.StartToClose or TimeoutType.Heartbeat)
        {
            // The next attempt would start after schedule-to-close: report that timeout instead (§4.1).
            failure = new Failure
            {
                Message = "Not enough time to schedule next retry before activity ScheduleToClose timeout, giving up retrying",
                Source = "Server",
                TimeoutFailureInfo = new TimeoutFailureInfo { TimeoutType = TimeoutType.ScheduleToClose, LastHeartbeatDetails = info.HeartbeatDetails },
                Cause = failure,
            };
        }
        var e = NewEvent(EventType.ActivityTaskTimedOut);
        e.ActivityTaskTimedOutEventAttributes = new ActivityTaskTimedOutEventAttributes
        {
            ScheduledEventId = info.ScheduledEventId,
            Failure = failure,
            RetryState = retryState,
        };
        CloseActivity(info, e);
    }

    public void CancelActivity(ActivityInfo info, Payloads? details, string identity)
    {
        var e = NewEvent(EventType.ActivityTaskCanceled);
        e.ActivityTaskCanceledEventAttributes = new ActivityTaskCanceledEventAttributes
        {
            ScheduledEventId = info.ScheduledEventId,
            LatestCancelRequestedEventId = info.CancelRequestedEventId,
            Details = details,
            Identity = identity,
        };
        CloseActivity(info, e);
    }

    /// <summary>Queues the next attempt when its retry timer fires.</summary>
    public void StartActivityRetry(ActivityInfo info) => DispatchActivityAttempt(info);

    private RetryState TryRetryActivity(ActivityInfo info, Failure failure)
    {
        if (info.CancelRequested)
        {
            return RetryState.CancelRequested;
        }
        if ((info.Paused || info.AttemptsReset) && !RetryPolicies.IsRetryable(failure, info.RetryPolicy))
        {
            return RetryState.NonRetryableFailure;
        }
        if (info.Paused)
        {
            // As Temporal: the attempt ends and nothing is scheduled until the activity is unpaused (RetryActivity).
            EndAttempt(info, info.AttemptsReset ? 1 : info.Attempt, failure);
            return RetryState.InProgress;
        }
        if (info.AttemptsReset)
        {
            // Reset while it ran: start over at attempt 1 at once, as a reset of a waiting activity does.
            EndAttempt(info, 1, failure);
            DispatchActivityAttempt(info);
            return RetryState.InProgress;
        }
        DateTimeOffset? expiration = info.ScheduleToCloseTimeout > TimeSpan.Zero ? info.ScheduledTime + info.ScheduleToCloseTimeout : null;
        var (delay, retryState) = RetryPolicies.NextBackoff(info.RetryPolicy, info.Attempt, failure, Now, expiration);
        if (delay is not { } backoff)
        {
            return retryState;
        }
        EndAttempt(info, info.Attempt + 1, failure);
        if (backoff <= TimeSpan.Zero)
        {
            DispatchActivityAttempt(info);
        }
        else
        {
            info.CurrentAttemptScheduledTime = Now + backoff;
            info.TimerTaskIds.Add(AddTimer(Now + backoff,
                new TimerTaskInfo(TimerTaskKind.ActivityRetry, info.ScheduledEventId, info.Attempt)));
        }
        MarkChanged();
        return RetryState.InProgress;
    }

    /// <summary>Ends the current attempt after a retryable failure; <paramref name="nextAttempt"/> comes next.</summary>
    private void EndAttempt(ActivityInfo info, int nextAttempt, Failure failure)
    {
        RetireAttempt(info);
        info.Attempt = nextAttempt;
        info.LastFailure = failure;
        info.LastAttemptCompleteTime = Now;
        info.StartedTime = null;
        info.StartedIdentity = "";
        info.StartedRequestId = "";
        info.StartedWorkerVersion = null;
        info.LastHeartbeatTime = null;
        if (info.ResetHeartbeatRequested)
        {
            info.HeartbeatDetails = null;
        }
        info.ResetRequested = false;
        info.ResetHeartbeatRequested = false;
        info.AttemptsReset = false;
        MarkChanged();
    }

    /// <summary>Retires the attempt's task and timers (schedule-to-close spans all attempts and stays).</summary>
    private void RetireAttempt(ActivityInfo info)
    {
        DeleteMatchingTask(info.TaskId);
        info.TaskId = 0;
        foreach (var id in info.TimerTaskIds)
        {
            DeleteTimer(id);
        }
        info.TimerTaskIds = [];
    }

    /// <summary>
    /// Retires the attempt, then adds the lazily recorded Started event (when the attempt had started) and the close
    /// event, whose application forgets the activity.
    /// </summary>
    private void CloseActivity(ActivityInfo info, HistoryEvent closeEvent)
    {
        RetireAttempt(info);
        DeleteTimer(info.ScheduleToCloseTimerTaskId);
        var startedEventId = 0L;
        if (info.IsStarted)
        {
            var started = NewEvent(EventType.ActivityTaskStarted);
            started.EventTime = Timestamp.FromDateTimeOffset(info.StartedTime!.Value);
            started.ActivityTaskStartedEventAttributes = new ActivityTaskStartedEventAttributes
            {
                ScheduledEventId = info.ScheduledEventId,
                Attempt = info.Attempt,
                Identity = info.StartedIdentity,
                RequestId = info.StartedRequestId,
                LastFailure = info.LastFailure,
                WorkerVersion = info.StartedWorkerVersion,
            };
            AddWorkflowEvent(started, scheduleWorkflowTask: false);
            startedEventId = started.EventId > 0 ? started.EventId : -1; // -1: buffered, the flush fills it in
        }
        switch (closeEvent.EventType)
        {
            case EventType.ActivityTaskCompleted:
                closeEvent.ActivityTaskCompletedEventAttributes.StartedEventId = startedEventId;
                break;
            case EventType.ActivityTaskFailed:
                closeEvent.ActivityTaskFailedEventAttributes.StartedEventId = startedEventId;
                break;
            case EventType.ActivityTaskTimedOut:
                closeEvent.ActivityTaskTimedOutEventAttributes.StartedEventId = startedEventId;
                break;
            case EventType.ActivityTaskCanceled:
                closeEvent.ActivityTaskCanceledEventAttributes.StartedEventId = startedEventId;
                break;
        }
        AddWorkflowEvent(closeEvent);
    }

    private static string TimeoutName(TimeoutType type) => type switch
    {
        TimeoutType.StartToClose => "StartToClose",
        TimeoutType.ScheduleToStart => "ScheduleToStart",
        TimeoutType.ScheduleToClose => "ScheduleToClose",
        TimeoutType.Heartbeat => "Heartbeat",
        _ => type.ToString(),
    };
}
