using Google.Protobuf.WellKnownTypes;
using Tempora.Core;
using Tempora.History.Queues;
using Tempora.Persistence;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;

namespace Tempora.History.Execution;

/// <summary>
/// One state transition of a run: the events it appends, the mutable-state changes, and the tasks it creates or
/// retires. Everything collected here is written by one transaction (<see cref="ToMutation"/>); the in-memory side
/// effects (dispatching tasks, arming timers) run only after that commit.
/// </summary>
internal sealed partial class Transition(MutableState state, DateTimeOffset now, TaskIdAllocator taskIds, ITaskDispatcher dispatcher)
{
    /// <summary>How long a sticky queue may go without a poller before tasks bypass it (as upstream).</summary>
    public static readonly TimeSpan StickyPollerWindow = TimeSpan.FromSeconds(10);

    public MutableState State { get; } = state;
    public DateTimeOffset Now { get; } = now;
    public WorkflowKey Key => new(State.NamespaceId, State.WorkflowId, State.RunId);

    internal List<HistoryEvent> NewEvents { get; } = [];
    internal List<TimerTaskRecord> NewTimers { get; } = [];
    internal List<long> DeletedTimers { get; } = [];

    /// <summary>
    /// Timers the close of the run retired with all its other tasks (their rows go in one bulk delete): their ids,
    /// as far as the state knows them, so that the in-memory queue forgets them too instead of firing them at a
    /// closed run.
    /// </summary>
    internal List<long> RetiredTimers { get; } = [];
    internal List<TransferTaskRecord> NewTransferTasks { get; } = [];
    internal List<long> DeletedTransferTasks { get; } = [];
    internal List<MatchingTask> NewTasks { get; } = [];
    internal List<long> DeletedTasks { get; } = [];
    internal List<Action> AfterCommit { get; } = [];

    /// <summary>Tasks and timers of a speculative workflow task: dispatched like the others, never persisted.</summary>
    internal List<MatchingTask> VolatileTasks { get; } = [];
    internal List<TimerTaskRecord> VolatileTimers { get; } = [];
    internal bool DeleteAllTasks { get; private set; }
    internal bool StatusChanged { get; private set; }
    internal bool HasChanges { get; private set; }

    /// <summary>Records that state changed even though no event or task did (heartbeats, sticky changes).</summary>
    public void MarkChanged() => HasChanges = true;

    public HistoryEvent NewEvent(EventType type) => new()
    {
        EventType = type,
        EventTime = Timestamp.FromDateTimeOffset(Now),
    };

    /// <summary>A new event carrying the links of the request that causes it.</summary>
    public HistoryEvent NewEvent(EventType type, IEnumerable<Temporalio.Api.Common.V1.Link>? links)
    {
        var e = NewEvent(type);
        if (links is not null)
        {
            e.Links.AddRange(links);
        }
        return e;
    }

    /// <summary>
    /// Adds an event to history with the next id and applies it to the state. A pending workflow task that exists only
    /// in memory (transient or speculative) gets its events written first, since they come before (§3.4).
    /// </summary>
    public HistoryEvent WriteEvent(HistoryEvent e)
    {
        if (State.WorkflowTask is { Speculative: true } speculative)
        {
            MaterializeSpeculativeWorkflowTask(speculative);
        }
        else if (State.WorkflowTask is { IsStarted: false, IsTransient: true } wft)
        {
            // A transient task's events are virtual; once other events land its Scheduled event must be real
            // (temporal-compat.md §3.4). Its id is still NextEventId because nothing was written since.
            wft.Attempt = 1;
            State.WorkflowTaskAttempt = 1;
            AppendEvent(WorkflowTaskScheduledEvent(wft));
        }
        AppendEvent(e);
        EventApplier.Apply(State, e);
        return e;
    }

    /// <summary>
    /// Low-level append: assigns the next event id and counts the event into the history size, without applying it
    /// (it was applied already, as a virtual event) and without any workflow-task bookkeeping. The event must be
    /// complete: written history never changes.
    /// </summary>
    internal HistoryEvent AppendEvent(HistoryEvent e)
    {
        e.EventId = State.NextEventId;
        EventApplier.Count(State, e);
        NewEvents.Add(e);
        HasChanges = true;
        return e;
    }

    /// <summary>Applies an event that is not written (yet): the virtual events of a transient or speculative workflow task.</summary>
    internal void ApplyVirtual(HistoryEvent e, long eventId)
    {
        e.EventId = eventId;
        EventApplier.Apply(State, e);
    }

    /// <summary>
    /// Adds an event caused from outside the workflow (signal, activity result, timer…). It takes effect at once; while
    /// a workflow task is started it is buffered and written (given its id) when the task ends, otherwise written now
    /// and a workflow task is scheduled so the workflow sees it.
    /// </summary>
    public void AddWorkflowEvent(HistoryEvent e, bool scheduleWorkflowTask = true)
    {
        if (State.WorkflowTask is { IsStarted: true })
        {
            EventApplier.Apply(State, e);
            State.BufferedEvents.Add(e);
            HasChanges = true;
            return;
        }
        WriteEvent(e);
        if (!scheduleWorkflowTask)
        {
            return;
        }
        if (DeferWorkflowTask)
        {
            WorkflowTaskNeeded = true;
        }
        else
        {
            ScheduleWorkflowTask();
        }
    }

    /// <summary>
    /// While a completion's commands are applied, events they cause (an activity cancelled before it started) must
    /// not schedule the next workflow task yet: command events have to stay together after WorkflowTaskCompleted.
    /// </summary>
    internal bool DeferWorkflowTask { get; set; }

    /// <summary>Set when an event needed a workflow task while scheduling was deferred.</summary>
    internal bool WorkflowTaskNeeded { get; set; }

    /// <summary>
    /// Writes buffered events with fresh ids (they were applied when they arrived); returns how many were written.
    /// Close events buffered with their activity's or child's Started event learn its id here, before they are written.
    /// </summary>
    public int FlushBufferedEvents()
    {
        var buffered = State.BufferedEvents;
        if (buffered.Count == 0)
        {
            return 0;
        }
        State.BufferedEvents = [];
        var activityStartedIds = new Dictionary<long, long>();
        var childStartedIds = new Dictionary<long, long>();
        foreach (var e in buffered)
        {
            FillStartedEventId(e, activityStartedIds, childStartedIds);
            AppendEvent(e);
            switch (e.EventType)
            {
                case EventType.ActivityTaskStarted:
                    activityStartedIds[e.ActivityTaskStartedEventAttributes.ScheduledEventId] = e.EventId;
                    break;
                case EventType.NexusOperationStarted:
                    if (State.NexusOperations.TryGetValue(e.NexusOperationStartedEventAttributes.ScheduledEventId, out var op))
                    {
                        op.StartedEventId = e.EventId;
                    }
                    break;
                case EventType.ChildWorkflowExecutionStarted:
                    var initiated = e.ChildWorkflowExecutionStartedEventAttributes.InitiatedEventId;
                    childStartedIds[initiated] = e.EventId;
                    if (State.Children.TryGetValue(initiated, out var child))
                    {
                        child.StartedEventId = e.EventId;
                    }
                    break;
            }
        }
        return buffered.Count;
    }

    /// <summary>Fills a buffered close event's started_event_id (negative until known) from a Started event flushed before it.</summary>
    private static void FillStartedEventId(HistoryEvent e, Dictionary<long, long> activities, Dictionary<long, long> children)
    {
        switch (e.EventType)
        {
            case EventType.ActivityTaskCompleted when e.ActivityTaskCompletedEventAttributes.StartedEventId < 0:
                e.ActivityTaskCompletedEventAttributes.StartedEventId = activities.GetValueOrDefault(e.ActivityTaskCompletedEventAttributes.ScheduledEventId);
                break;
            case EventType.ActivityTaskFailed when e.ActivityTaskFailedEventAttributes.StartedEventId < 0:
                e.ActivityTaskFailedEventAttributes.StartedEventId = activities.GetValueOrDefault(e.ActivityTaskFailedEventAttributes.ScheduledEventId);
                break;
            case EventType.ActivityTaskTimedOut when e.ActivityTaskTimedOutEventAttributes.StartedEventId < 0:
                e.ActivityTaskTimedOutEventAttributes.StartedEventId = activities.GetValueOrDefault(e.ActivityTaskTimedOutEventAttributes.ScheduledEventId);
                break;
            case EventType.ActivityTaskCanceled when e.ActivityTaskCanceledEventAttributes.StartedEventId < 0:
                e.ActivityTaskCanceledEventAttributes.StartedEventId = activities.GetValueOrDefault(e.ActivityTaskCanceledEventAttributes.ScheduledEventId);
                break;
            case EventType.ChildWorkflowExecutionCompleted when e.ChildWorkflowExecutionCompletedEventAttributes.StartedEventId < 0:
                e.ChildWorkflowExecutionCompletedEventAttributes.StartedEventId = children.GetValueOrDefault(e.ChildWorkflowExecutionCompletedEventAttributes.InitiatedEventId);
                break;
            case EventType.ChildWorkflowExecutionFailed when e.ChildWorkflowExecutionFailedEventAttributes.StartedEventId < 0:
                e.ChildWorkflowExecutionFailedEventAttributes.StartedEventId = children.GetValueOrDefault(e.ChildWorkflowExecutionFailedEventAttributes.InitiatedEventId);
                break;
            case EventType.ChildWorkflowExecutionCanceled when e.ChildWorkflowExecutionCanceledEventAttributes.StartedEventId < 0:
                e.ChildWorkflowExecutionCanceledEventAttributes.StartedEventId = children.GetValueOrDefault(e.ChildWorkflowExecutionCanceledEventAttributes.InitiatedEventId);
                break;
            case EventType.ChildWorkflowExecutionTimedOut when e.ChildWorkflowExecutionTimedOutEventAttributes.StartedEventId < 0:
                e.ChildWorkflowExecutionTimedOutEventAttributes.StartedEventId = children.GetValueOrDefault(e.ChildWorkflowExecutionTimedOutEventAttributes.InitiatedEventId);
                break;
            case EventType.ChildWorkflowExecutionTerminated when e.ChildWorkflowExecutionTerminatedEventAttributes.StartedEventId < 0:
                e.ChildWorkflowExecutionTerminatedEventAttributes.StartedEventId = children.GetValueOrDefault(e.ChildWorkflowExecutionTerminatedEventAttributes.InitiatedEventId);
                break;
        }
    }

    /// <summary>Arms a durable timer for this run; returns its task id.</summary>
    public long AddTimer(DateTimeOffset fireTime, TimerTaskInfo info)
    {
        var id = taskIds.Next();
        NewTimers.Add(new TimerTaskRecord(id, fireTime, Key, StateSerializer.SerializeValue(info)));
        HasChanges = true;
        return id;
    }

    private void RetireKnownTimers()
    {
        RetiredTimers.Add(State.RunTimeoutTaskId);
        RetiredTimers.Add(State.WorkflowTask?.TimeoutTaskId ?? 0);
        RetiredTimers.AddRange(State.Timers.Values.Select(timer => timer.TaskId));
        foreach (var activity in State.Activities.Values)
        {
            RetiredTimers.Add(activity.ScheduleToCloseTimerTaskId);
            RetiredTimers.AddRange(activity.TimerTaskIds);
        }
        foreach (var op in State.NexusOperations.Values)
        {
            RetiredTimers.Add(op.TimeoutTimerTaskId);
            RetiredTimers.Add(op.ScheduleToStartTimerTaskId);
            RetiredTimers.Add(op.StartToCloseTimerTaskId);
            RetiredTimers.Add(op.RetryTimerTaskId);
            RetiredTimers.Add(op.Cancellation?.RetryTimerTaskId ?? 0);
        }
        RetiredTimers.RemoveAll(id => id <= 0);
    }

    public void DeleteTimer(long taskId)
    {
        if (taskId > 0)
        {
            DeletedTimers.Add(taskId);
            HasChanges = true;
        }
    }

    /// <summary>Queues work on another run, processed as soon as this transition commits; returns its task id.</summary>
    public long AddTransferTask(TransferTaskInfo info)
    {
        var id = taskIds.Next();
        NewTransferTasks.Add(new TransferTaskRecord(id, Key, StateSerializer.SerializeValue(info)));
        HasChanges = true;
        return id;
    }

    public void DeleteTransferTask(long taskId)
    {
        if (taskId > 0)
        {
            DeletedTransferTasks.Add(taskId);
            HasChanges = true;
        }
    }

    /// <summary>Queues a workflow or activity task for matching; returns its task id.</summary>
    public long AddMatchingTask(string taskQueue, TaskKind type, long scheduledEventId, int attempt)
    {
        var task = new MatchingTask(taskIds.Next(), new TaskQueueKey(State.NamespaceId, taskQueue, type), State.WorkflowId,
            State.RunId, scheduledEventId, attempt, Now)
        {
            PinnedTo = DirectiveFor(taskQueue, type),
            Sticky = IsStickyQueue(taskQueue, type),
        };
        NewTasks.Add(task);
        HasChanges = true;
        return task.TaskId;
    }

    public void DeleteMatchingTask(long taskId)
    {
        if (taskId > 0)
        {
            DeletedTasks.Add(taskId);
            HasChanges = true;
        }
    }

    /// <summary>
    /// Writes the run's close event. In the same transaction every pending task and timer is retired, started
    /// children get their parent-close policy applied, and a run that ends its chain reports to its parent. A run a
    /// reset replaces (<paramref name="reset"/>) reports nothing, since the reset run carries on for its parent, and
    /// leaves alone the children the reset run took over.
    /// </summary>
    public void CloseExecution(HistoryEvent closeEvent, bool successor = false, ResetHandover? reset = null)
    {
        var children = State.Children.Values.ToList();
        var parent = State.Parent;
        RetireKnownTimers(); // before the close event, whose application clears the pending timers and activities
        WriteEvent(closeEvent);
        State.StickyQueue = null;
        DeleteAllTasks = true;
        StatusChanged = true;
        foreach (var child in children)
        {
            var policy = child.Initiated.ParentClosePolicy;
            if (child.Started && policy is ParentClosePolicy.Terminate or ParentClosePolicy.Unspecified or ParentClosePolicy.RequestCancel
                && reset?.Children.Contains(child.InitiatedEventId) != true)
            {
                AddTransferTask(new TransferTaskInfo(TransferTaskKind.ParentClosePolicy, child.InitiatedEventId)
                {
                    TargetNamespaceId = child.NamespaceId,
                    TargetWorkflowId = child.Initiated.WorkflowId,
                    TargetRunId = child.RunId,
                    Policy = policy == ParentClosePolicy.Unspecified ? ParentClosePolicy.Terminate : policy,
                });
            }
        }
        if (!successor && reset is null)
        {
            ReportCloseToNexusCallers(closeEvent);
        }
        if (parent is not null && !successor && reset is null)
        {
            AddTransferTask(new TransferTaskInfo(TransferTaskKind.NotifyParent, parent.InitiatedEventId)
            {
                TargetNamespaceId = parent.NamespaceId,
                TargetWorkflowId = parent.WorkflowId,
                TargetRunId = parent.RunId,
                Event = closeEvent,
            });
        }
    }

    /// <summary>The write this transition amounts to, under the fence of the run's shard.</summary>
    internal ExecutionMutation ToMutation(long expectedDbVersion, ShardFence fence)
    {
        if (State.WorkflowTask is { Speculative: true } speculative)
        {
            // Something else about the run is being persisted: the task becomes an ordinary one with it.
            MaterializeSpeculativeWorkflowTask(speculative);
        }
        State.StateTransitionCount++;
        var history = new List<HistoryBatch>(1);
        if (NewEvents.Count > 0)
        {
            var batch = new Temporalio.Api.History.V1.History();
            batch.Events.AddRange(NewEvents);
            history.Add(new HistoryBatch(NewEvents[0].EventId, NewEvents[^1].EventId, Google.Protobuf.MessageExtensions.ToByteArray(batch)));
        }
        return new ExecutionMutation(Key, fence, expectedDbVersion, State.NextEventId, (int)State.Status, StateSerializer.Serialize(State),
            history, NewTimers, DeletedTimers, NewTasks, DeletedTasks, DeleteAllTasks)
        {
            NewTransferTasks = NewTransferTasks,
            DeletedTransferTasks = DeletedTransferTasks,
            Current = StatusChanged ? CurrentRecord() : null,
            Successor = Successor is null ? null : Successor.ToMutation(0, fence) with
            {
                CreateWithCurrent = new CurrentRunCondition(State.RunId),
                Current = Successor.CurrentRecord(),
            },
        };
    }

    internal CurrentExecutionRecord CurrentRecord() =>
        new(State.NamespaceId, State.WorkflowId, State.RunId, State.StartRequestId, (int)State.Status, State.FirstExecutionRunId);


    internal bool StickyQueueIsLive(string stickyQueue) =>
        dispatcher.HasRecentPoller(new TaskQueueKey(State.NamespaceId, stickyQueue, TaskKind.Workflow), StickyPollerWindow)
        && !StickyWorkerLeftBehind();
}
