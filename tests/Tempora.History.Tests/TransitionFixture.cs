using Google.Protobuf.WellKnownTypes;
using Tempora.Core;
using Tempora.History;
using Tempora.History.Api;
using Tempora.History.Execution;
using Temporalio.Api.Command.V1;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Api.TaskQueue.V1;

namespace Tempora.History.Tests;

/// <summary>Drives the state machine in memory: commands in, events and tasks out; no database.</summary>
internal sealed class TransitionFixture
{
    private readonly TaskIdAllocator _ids = new();
    private readonly RecordingDispatcher _dispatcher = new();

    public DateTimeOffset Now { get; set; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The run's state: only its identity until <see cref="Start"/> applies WorkflowExecutionStarted.</summary>
    public MutableState State { get; }

    public TransitionFixture() => State = MutableState.ForNewRun("ns", "wf", Guid.NewGuid().ToString(), "req", Now);

    /// <summary>Every event written so far, in order.</summary>
    public List<HistoryEvent> History { get; } = [];

    public HashSet<string> LiveStickyQueues => _dispatcher.LiveQueues;

    public Transition Run(Action<Transition> action)
    {
        var t = new Transition(State, Now, _ids, _dispatcher);
        action(t);
        History.AddRange(t.NewEvents);
        return t;
    }

    /// <summary>Writes WorkflowExecutionStarted and schedules the first workflow task.</summary>
    public Transition Start(Memo? memo = null) => Run(t =>
    {
        var e = t.NewEvent(EventType.WorkflowExecutionStarted);
        e.WorkflowExecutionStartedEventAttributes = new WorkflowExecutionStartedEventAttributes
        {
            WorkflowType = new WorkflowType { Name = "Type" },
            TaskQueue = new TaskQueue { Name = "tq" },
            WorkflowTaskTimeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(10)),
            FirstExecutionRunId = "first",
            Memo = memo,
        };
        t.WriteEvent(e);
        t.ScheduleWorkflowTask();
    });

    /// <summary>Starts the pending workflow task as a poller would.</summary>
    public Transition StartWorkflowTask() => Run(t =>
    {
        t.StartWorkflowTask(State.WorkflowTask!.TaskId, "worker", "req");
    });

    public Transition Complete(params Command[] commands) => Complete(null, commands);

    public Transition Complete(StickyExecutionAttributes? sticky, params Command[] commands) => Run(t =>
    {
        var request = new RespondWorkflowTaskCompletedRequest { Identity = "worker", StickyAttributes = sticky };
        request.Commands.AddRange(commands);
        new WorkflowTaskCompletion(t, request).Apply();
    });

    public static Command ScheduleActivity(string id, TimeSpan? startToClose = null, RetryPolicy? retry = null) => new()
    {
        CommandType = CommandType.ScheduleActivityTask,
        ScheduleActivityTaskCommandAttributes = new ScheduleActivityTaskCommandAttributes
        {
            ActivityId = id,
            ActivityType = new ActivityType { Name = "Act" },
            StartToCloseTimeout = Duration.FromTimeSpan(startToClose ?? TimeSpan.FromSeconds(30)),
            RetryPolicy = retry,
        },
    };

    public static Command StartTimer(string id, TimeSpan duration) => new()
    {
        CommandType = CommandType.StartTimer,
        StartTimerCommandAttributes = new StartTimerCommandAttributes { TimerId = id, StartToFireTimeout = Duration.FromTimeSpan(duration) },
    };

    public static Command CompleteWorkflow() => new()
    {
        CommandType = CommandType.CompleteWorkflowExecution,
        CompleteWorkflowExecutionCommandAttributes = new CompleteWorkflowExecutionCommandAttributes(),
    };

    public IEnumerable<EventType> EventTypes => History.Select(e => e.EventType);

    private sealed class RecordingDispatcher : ITaskDispatcher
    {
        public HashSet<string> LiveQueues { get; } = [];

        public void Dispatch(MatchingTask task)
        {
        }

        public bool HasRecentPoller(TaskQueueKey queue, TimeSpan within) => LiveQueues.Contains(queue.Name);

        public void Withdraw(Predicate<MatchingTask> match)
        {
        }
    }
}
