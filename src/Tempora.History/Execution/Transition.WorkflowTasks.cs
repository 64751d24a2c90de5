using Google.Protobuf.WellKnownTypes;
using Tempora.Core;
using Tempora.History.Queues;
using Tempora.Persistence;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Api.TaskQueue.V1;

namespace Tempora.History.Execution;

internal sealed partial class Transition
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
        var scheduled = WorkflowTaskScheduledEvent(attempt, Now, sticky ? State.StickyQueue! : null, WorkflowTaskTimeoutFor(attempt));
        if (speculative || attempt > 1)
        {
            ApplyVirtual(scheduled, State.NextEventId); // its events are written when the task completes (§3.4)
        }
        else
        {
            AppendEvent(scheduled);
            EventApplier.Apply(State, scheduled);
        }
        var wft = State.WorkflowTask!;
        wft.Speculative = speculative;
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
            State.RunId, scheduledEventId, attempt, Now)
        {
            PinnedTo = DirectiveFor(taskQueue, TaskKind.Workflow),
            Sticky = IsStickyQueue(taskQueue, TaskKind.Workflow),
        };
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

    /// <summary>The Scheduled event of a pending task, built again from its state when its virtual events are written.</summary>
    internal HistoryEvent WorkflowTaskScheduledEvent(WorkflowTaskInfo wft) => WorkflowTaskScheduledEvent(
        wft.Attempt, wft.ScheduledTime, wft.OnStickyQueue ? wft.TaskQueue : null, wft.StartToCloseTimeout);

    private HistoryEvent WorkflowTaskScheduledEvent(int attempt, DateTimeOffset time, string? stickyQueue, TimeSpan startToClose)
    {
        var e = NewEvent(EventType.WorkflowTaskScheduled);
        e.EventTime = Timestamp.FromDateTimeOffset(time);
        e.WorkflowTaskScheduledEventAttributes = new WorkflowTaskScheduledEventAttributes
        {
            TaskQueue = stickyQueue is null
                ? new TaskQueue { Name = State.TaskQueue, Kind = TaskQueueKind.Normal }
                : new TaskQueue { Name = stickyQueue, Kind = TaskQueueKind.Sticky, NormalName = State.TaskQueue },
            StartToCloseTimeout = Duration.FromTimeSpan(startToClose),
            Attempt = attempt,
        };
        return e;
    }

    /// <summary>The Started event of a started task, built again from its state when its virtual events are written.</summary>
    internal HistoryEvent WorkflowTaskStartedEvent(WorkflowTaskInfo wft) =>
        WorkflowTaskStartedEvent(wft.ScheduledEventId, wft.StartedTime ?? Now, wft.Identity, wft.RequestId, wft.TargetVersionChanged,
            wft.StartedWorkerVersion);

    private HistoryEvent WorkflowTaskStartedEvent(long scheduledEventId, DateTimeOffset time, string identity, string requestId,
        bool targetVersionChanged, Temporalio.Api.Common.V1.WorkerVersionStamp? workerVersion = null)
    {
        var e = NewEvent(EventType.WorkflowTaskStarted);
        e.EventTime = Timestamp.FromDateTimeOffset(time);
        e.WorkflowTaskStartedEventAttributes = new WorkflowTaskStartedEventAttributes
        {
            ScheduledEventId = scheduledEventId,
            Identity = identity,
            RequestId = requestId,
            HistorySizeBytes = State.HistorySizeBytes,
            SuggestContinueAsNew = State.NextEventId > 4096 || State.HistorySizeBytes > 4 * 1024 * 1024,
            TargetWorkerDeploymentVersionChanged = targetVersionChanged,
            WorkerVersion = workerVersion,
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

    /// <summary>
    /// Starts the task this transition scheduled for the worker completing the previous one, which asked for it back
    /// (return_new_workflow_task): it never reaches a queue, so its matching task and sticky timeout are not armed.
    /// </summary>
    public WorkflowTaskInfo StartWorkflowTaskInline(string identity, string requestId)
    {
        var wft = State.WorkflowTask!;
        NewTasks.RemoveAll(task => task.TaskId == wft.TaskId);
        NewTimers.RemoveAll(timer => timer.TaskId == wft.TimeoutTaskId);
        wft.TaskId = 0;
        wft.TimeoutTaskId = 0;
        return StartWorkflowTask(wft.TaskId, identity, requestId);
    }

    /// <summary>
    /// Marks the pending task started by a poller (whose build-id stamp, if any, is <paramref name="workerVersion"/>);
    /// writes WorkflowTaskStarted unless the task is virtual.
    /// </summary>
    public WorkflowTaskInfo StartWorkflowTask(long matchingTaskId, string identity, string requestId,
        Temporalio.Api.Common.V1.WorkerVersionStamp? workerVersion = null)
    {
        var wft = State.WorkflowTask!;
        var started = WorkflowTaskStartedEvent(wft.ScheduledEventId, Now, identity, requestId, PinnedTargetMoved(), workerVersion);
        var timeout = new TimerTaskInfo(TimerTaskKind.WorkflowTaskTimeout, wft.ScheduledEventId, wft.Attempt, TimeoutType.StartToClose);
        if (wft.Speculative)
        {
            // Nothing is persisted: a crash forgets the task, and the client re-sends its update.
            ApplyVirtual(started, wft.ScheduledEventId + 1);
            wft.TimeoutTaskId = AddVolatileTimer(Now + wft.StartToCloseTimeout, timeout);
            return wft;
        }
        DeleteMatchingTask(matchingTaskId);
        DeleteTimer(wft.TimeoutTaskId);
        if (wft.IsTransient)
        {
            ApplyVirtual(started, wft.ScheduledEventId + 1);
        }
        else
        {
            AppendEvent(started);
            EventApplier.Apply(State, started);
        }
        wft.TimeoutTaskId = AddTimer(Now + wft.StartToCloseTimeout, timeout);
        return wft;
    }

    /// <summary>Writes the Scheduled/Started pair of a virtual task now that it completes, then WorkflowTaskCompleted.</summary>
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
        EventApplier.Apply(State, completed);
        DeleteTimer(wft.TimeoutTaskId);
        return completed;
    }

    /// <summary>
    /// Ends the pending task unsuccessfully (failed by the worker or the server, or timed out). A virtual task's
    /// failure is applied but not written (§3.4). Then stickiness or the attempt counter moves on, buffered events
    /// are flushed, and a new task is scheduled (§3.4, §3.7).
    /// </summary>
    public void FailWorkflowTask(Func<HistoryEvent, HistoryEvent> failureEvent, bool incrementAttempt = true)
    {
        var wft = State.WorkflowTask!;
        var failed = failureEvent(NewEvent(EventType.Unspecified));
        if (wft.IsVirtual)
        {
            ApplyVirtual(failed, State.NextEventId);
        }
        else
        {
            AppendEvent(failed);
            EventApplier.Apply(State, failed);
        }
        incrementAttempt &= !wft.Speculative; // a failed speculative task is retried as an ordinary first attempt
        DeleteTimer(wft.TimeoutTaskId);
        DeleteMatchingTask(wft.TaskId);
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
