using Google.Protobuf.WellKnownTypes;
using Tempora.Core;
using Tempora.History.Queues;
using Tempora.Persistence;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Api.TaskQueue.V1;

namespace Tempora.History.Execution;

public sealed partial class Transition
{
    private static readonly TimeSpan MaxWorkflowTaskRetryExtra = TimeSpan.FromMinutes(10);

    /// <summary>Schedules a workflow task unless one is pending or the run is closed (at most one per run).</summary>
    public void ScheduleWorkflowTask() => ScheduleWorkflowTask(speculative: false);

    /// <summary>Forgets a speculative task whose updates were all rejected: history stays as it was (§5.11).</summary>
    public void DiscardSpeculativeWorkflowTask() => State.WorkflowTask = null;

    /// <summary>
    /// Schedules a workflow task that exists only in memory, to deliver updates (upstream's speculative task). A
    /// retried (transient) task cannot be speculative.
    /// </summary>
    public void ScheduleSpeculativeWorkflowTask() => ScheduleWorkflowTask(speculative: State.WorkflowTaskAttempt == 1);

    private void ScheduleWorkflowTask(bool speculative)
    {
        if (State.WorkflowTask is not null || !State.IsOpen)
        {
            return;
        }
        var attempt = State.WorkflowTaskAttempt;
        var sticky = State.StickyQueue is { } q && StickyQueueIsLive(q);
        if (!sticky && State.StickyQueue is not null)
        {
            // Fall back to the normal queue and stop being sticky, so the task carries full history (§3.6).
            State.StickyQueue = null;
        }
        var wft = new WorkflowTaskInfo
        {
            Attempt = attempt,
            ScheduledTime = Now,
            TaskQueue = sticky ? State.StickyQueue! : State.TaskQueue,
            OnStickyQueue = sticky,
            StartToCloseTimeout = WorkflowTaskTimeoutFor(attempt),
        };
        wft.Speculative = speculative;
        if (wft.IsVirtual)
        {
            wft.ScheduledEventId = State.NextEventId; // virtual until the task completes (§3.4)
        }
        else
        {
            wft.ScheduledEventId = AppendEvent(WorkflowTaskScheduledEvent(wft)).EventId;
        }
        State.WorkflowTask = wft;
        ArmWorkflowTaskDispatch(wft);
    }

    /// <summary>Queues the scheduled task and, on a sticky queue, its schedule-to-start timeout.</summary>
    private void ArmWorkflowTaskDispatch(WorkflowTaskInfo wft)
    {
        var timeout = wft.OnStickyQueue
            ? new TimerTaskInfo(TimerTaskKind.WorkflowTaskTimeout, wft.ScheduledEventId, wft.Attempt, TimeoutType.ScheduleToStart)
            : null;
        if (wft.Speculative)
        {
            wft.TaskId = AddVolatileTask(wft.TaskQueue, wft.ScheduledEventId, wft.Attempt);
            wft.TimeoutTaskId = timeout is null ? 0 : AddVolatileTimer(Now + State.StickyScheduleToStartTimeout, timeout);
            return;
        }
        wft.TaskId = AddMatchingTask(wft.TaskQueue, TaskKind.Workflow, wft.ScheduledEventId, wft.Attempt);
        wft.TimeoutTaskId = timeout is null ? 0 : AddTimer(Now + State.StickyScheduleToStartTimeout, timeout);
    }

    private long AddVolatileTask(string taskQueue, long scheduledEventId, int attempt)
    {
        var task = new MatchingTask(taskIds.Next(), new TaskQueueKey(State.NamespaceId, taskQueue, TaskKind.Workflow), State.WorkflowId,
            State.RunId, scheduledEventId, attempt, Now);
        VolatileTasks.Add(task);
        return task.TaskId;
    }

    private long AddVolatileTimer(DateTimeOffset fireTime, TimerTaskInfo info)
    {
        var id = taskIds.Next();
        VolatileTimers.Add(new TimerTaskRecord(id, fireTime, Key, StateSerializer.SerializeValue(info)));
        return id;
    }

    /// <summary>
    /// Turns a speculative task into an ordinary one because something else is being written: its virtual events
    /// become real (their ids are still free, as nothing was written since it was scheduled), and its task and timer
    /// become durable rows (the in-memory ones turn stale by id).
    /// </summary>
    private void MaterializeSpeculativeWorkflowTask(WorkflowTaskInfo wft)
    {
        wft.Speculative = false;
        AppendEvent(WorkflowTaskScheduledEvent(wft));
        if (!wft.IsStarted)
        {
            ArmWorkflowTaskDispatch(wft);
            return;
        }
        AppendEvent(WorkflowTaskStartedEvent(wft));
        wft.TimeoutTaskId = AddTimer(wft.StartedTime!.Value + wft.StartToCloseTimeout,
            new TimerTaskInfo(TimerTaskKind.WorkflowTaskTimeout, wft.ScheduledEventId, wft.Attempt, TimeoutType.StartToClose));
    }

    /// <summary>Retried tasks get a longer timeout after attempt 3, as upstream, so a slow replay can finish.</summary>
    private TimeSpan WorkflowTaskTimeoutFor(int attempt)
    {
        var timeout = State.WorkflowTaskTimeout;
        if (attempt > 3)
        {
            var extra = TimeSpan.FromSeconds(5 * Math.Pow(2, Math.Min(attempt - 4, 20)));
            timeout += extra < MaxWorkflowTaskRetryExtra ? extra : MaxWorkflowTaskRetryExtra;
        }
        return timeout;
    }

    internal HistoryEvent WorkflowTaskScheduledEvent(WorkflowTaskInfo wft)
    {
        var e = NewEvent(EventType.WorkflowTaskScheduled);
        e.EventTime = Timestamp.FromDateTimeOffset(wft.ScheduledTime);
        e.WorkflowTaskScheduledEventAttributes = new WorkflowTaskScheduledEventAttributes
        {
            TaskQueue = QueueMessage(wft),
            StartToCloseTimeout = Duration.FromTimeSpan(wft.StartToCloseTimeout),
            Attempt = wft.Attempt,
        };
        return e;
    }

    internal HistoryEvent WorkflowTaskStartedEvent(WorkflowTaskInfo wft)
    {
        var e = NewEvent(EventType.WorkflowTaskStarted);
        e.EventTime = Timestamp.FromDateTimeOffset(wft.StartedTime ?? Now);
        e.WorkflowTaskStartedEventAttributes = new WorkflowTaskStartedEventAttributes
        {
            ScheduledEventId = wft.ScheduledEventId,
            Identity = wft.Identity,
            RequestId = wft.RequestId,
            HistorySizeBytes = State.HistorySizeBytes,
            SuggestContinueAsNew = State.NextEventId > 4096 || State.HistorySizeBytes > 4 * 1024 * 1024,
        };
        return e;
    }

    /// <summary>The virtual Scheduled/Started pair of a started transient task, appended to what workers read.</summary>
    public IReadOnlyList<HistoryEvent> TransientWorkflowTaskEvents()
    {
        if (State.WorkflowTask is not { IsVirtual: true, IsStarted: true } wft)
        {
            return [];
        }
        var scheduled = WorkflowTaskScheduledEvent(wft);
        scheduled.EventId = wft.ScheduledEventId;
        var started = WorkflowTaskStartedEvent(wft);
        started.EventId = wft.StartedEventId;
        return [scheduled, started];
    }

    private TaskQueue QueueMessage(WorkflowTaskInfo wft) => wft.OnStickyQueue
        ? new TaskQueue { Name = wft.TaskQueue, Kind = TaskQueueKind.Sticky, NormalName = State.TaskQueue }
        : new TaskQueue { Name = State.TaskQueue, Kind = TaskQueueKind.Normal };

    /// <summary>Marks the pending task started by a poller; writes WorkflowTaskStarted unless it is transient.</summary>
    public WorkflowTaskInfo StartWorkflowTask(MatchingTask task, string identity, string requestId)
    {
        var wft = State.WorkflowTask!;
        wft.StartedTime = Now;
        wft.Identity = identity;
        wft.RequestId = requestId;
        var timeout = new TimerTaskInfo(TimerTaskKind.WorkflowTaskTimeout, wft.ScheduledEventId, wft.Attempt, TimeoutType.StartToClose);
        if (wft.Speculative)
        {
            // Nothing is persisted: a crash forgets the task, and the client re-sends its update.
            wft.StartedEventId = wft.ScheduledEventId + 1;
            wft.TimeoutTaskId = AddVolatileTimer(Now + wft.StartToCloseTimeout, timeout);
            return wft;
        }
        DeleteMatchingTask(task.TaskId);
        DeleteTimer(wft.TimeoutTaskId);
        wft.StartedEventId = wft.IsTransient ? wft.ScheduledEventId + 1 : AppendEvent(WorkflowTaskStartedEvent(wft)).EventId;
        wft.TimeoutTaskId = AddTimer(Now + wft.StartToCloseTimeout, timeout);
        return wft;
    }

    /// <summary>Writes the Scheduled/Started pair of a transient task now that it completes, then WorkflowTaskCompleted.</summary>
    public HistoryEvent CompleteWorkflowTask(Func<HistoryEvent, HistoryEvent> fillCompleted)
    {
        var wft = State.WorkflowTask!;
        if (wft.IsVirtual)
        {
            wft.Speculative = false;
            AppendEvent(WorkflowTaskScheduledEvent(wft));
            AppendEvent(WorkflowTaskStartedEvent(wft));
        }
        var completed = AppendEvent(fillCompleted(NewEvent(EventType.WorkflowTaskCompleted)));
        Visibility.BuildIdsSearchAttribute.Record(State, completed.WorkflowTaskCompletedEventAttributes?.WorkerVersion);
        State.LastCompletedWorkflowTaskStartedEventId = wft.StartedEventId;
        State.WorkflowTaskAttempt = 1;
        State.WorkflowTask = null;
        DeleteTimer(wft.TimeoutTaskId);
        return completed;
    }

    /// <summary>
    /// Ends the pending task unsuccessfully (failed by the worker or the server, or timed out). A transient task
    /// leaves no event. Then stickiness or the attempt counter moves on, buffered events are flushed, and a new task
    /// is scheduled (§3.4, §3.7).
    /// </summary>
    public void FailWorkflowTask(Func<HistoryEvent, HistoryEvent>? failureEvent, bool incrementAttempt = true)
    {
        var wft = State.WorkflowTask!;
        if (!wft.IsVirtual && failureEvent is not null)
        {
            AppendEvent(failureEvent(NewEvent(EventType.Unspecified)));
        }
        incrementAttempt &= !wft.Speculative; // a failed speculative task is retried as an ordinary first attempt
        DeleteTimer(wft.TimeoutTaskId);
        DeleteMatchingTask(wft.TaskId);
        State.WorkflowTask = null;
        if (State.StickyQueue is not null)
        {
            State.StickyQueue = null; // a sticky failure retries on the normal queue as a fresh attempt
        }
        else if (incrementAttempt)
        {
            State.WorkflowTaskAttempt++;
        }
        if (FlushBufferedEvents() > 0)
        {
            State.WorkflowTaskAttempt = 1; // new events make the next task a normal one
        }
        ScheduleWorkflowTask();
    }
}
