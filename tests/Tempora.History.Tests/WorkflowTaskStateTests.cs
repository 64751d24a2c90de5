using Tempora.Core;
using Tempora.History.Execution;
using Tempora.History.Updates;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Api.TaskQueue.V1;
using Temporalio.Api.WorkflowService.V1;
using static Tempora.History.Tests.TransitionFixture;

namespace Tempora.History.Tests;

public class WorkflowTaskStateTests
{
    [Fact]
    public void Start_SchedulesFirstWorkflowTask_WithContiguousIds()
    {
        var f = new TransitionFixture();
        var t = f.Start();
        Assert.Equal([EventType.WorkflowExecutionStarted, EventType.WorkflowTaskScheduled], f.EventTypes);
        Assert.Equal([1L, 2L], f.History.Select(e => e.EventId));
        var task = Assert.Single(t.NewTasks);
        Assert.Equal(2, task.ScheduledEventId);
        Assert.Equal("tq", task.Queue.Name);
    }

    [Fact]
    public void StartWorkflowTask_WritesStartedAndArmsStartToCloseTimer()
    {
        var f = new TransitionFixture();
        f.Start();
        var t = f.StartWorkflowTask();
        var started = Assert.Single(t.NewEvents);
        Assert.Equal(EventType.WorkflowTaskStarted, started.EventType);
        Assert.Equal(2, started.WorkflowTaskStartedEventAttributes.ScheduledEventId);
        Assert.NotNull(started.EventTime);
        Assert.Single(t.NewTimers);
        Assert.Single(t.DeletedTasks);
    }

    [Fact]
    public void Signal_WhileWorkflowTaskStarted_IsBufferedThenFlushedAfterCommands()
    {
        var f = new TransitionFixture();
        f.Start();
        f.StartWorkflowTask();
        var t = f.Run(t => t.Signal("sig", null, "client", null, "r1", skipWorkflowTask: false));
        Assert.Empty(t.NewEvents);
        Assert.Single(f.State.BufferedEvents);

        f.Complete(StartTimer("t1", TimeSpan.FromMinutes(1)));
        Assert.Equal(
            [EventType.WorkflowExecutionStarted, EventType.WorkflowTaskScheduled, EventType.WorkflowTaskStarted, EventType.WorkflowTaskCompleted,
                EventType.TimerStarted, EventType.WorkflowExecutionSignaled, EventType.WorkflowTaskScheduled],
            f.EventTypes);
        Assert.Equal(Enumerable.Range(1, 7).Select(i => (long)i), f.History.Select(e => e.EventId));
        Assert.Equal(3, f.State.LastCompletedWorkflowTaskStartedEventId);
    }

    [Fact]
    public void Complete_CloseCommandWithBufferedEvents_IsUnhandledCommand()
    {
        var f = new TransitionFixture();
        f.Start();
        f.StartWorkflowTask();
        f.Run(t => t.Signal("sig", null, "client", null, "", skipWorkflowTask: false));
        var e = Assert.Throws<CommandValidationException>(() => f.Complete(CompleteWorkflow()));
        Assert.Equal(WorkflowTaskFailedCause.UnhandledCommand, e.Cause);
    }

    [Fact]
    public void FailWorkflowTask_SecondAttemptIsTransient_AndCompletionMaterialisesIt()
    {
        var f = new TransitionFixture();
        f.Start();
        f.StartWorkflowTask();
        f.Run(t => t.FailWorkflowTask(e => Failed(e)));
        Assert.Equal(2, f.State.WorkflowTaskAttempt);
        var countAfterFirstFailure = f.History.Count;

        f.StartWorkflowTask();
        f.Run(t => t.FailWorkflowTask(e => Failed(e)));
        Assert.Equal(countAfterFirstFailure, f.History.Count); // a transient failure writes nothing
        Assert.Equal(3, f.State.WorkflowTaskAttempt);

        f.StartWorkflowTask();
        f.Complete(CompleteWorkflow());
        var tail = f.History.Skip(countAfterFirstFailure).ToList();
        Assert.Equal([EventType.WorkflowTaskScheduled, EventType.WorkflowTaskStarted, EventType.WorkflowTaskCompleted, EventType.WorkflowExecutionCompleted],
            tail.Select(e => e.EventType));
        Assert.Equal(3, tail[0].WorkflowTaskScheduledEventAttributes.Attempt);
        Assert.Equal(Enumerable.Range(1, f.History.Count).Select(i => (long)i), f.History.Select(e => e.EventId));
    }

    [Fact]
    public void TransientWorkflowTask_SignalBeforeStart_ConvertsToNormalTask()
    {
        var f = new TransitionFixture();
        f.Start();
        f.StartWorkflowTask();
        f.Run(t => t.FailWorkflowTask(e => Failed(e)));
        Assert.True(f.State.WorkflowTask!.IsTransient);

        f.Run(t => t.Signal("sig", null, "client", null, "", skipWorkflowTask: false));
        Assert.False(f.State.WorkflowTask!.IsTransient);
        Assert.Equal([EventType.WorkflowTaskScheduled, EventType.WorkflowExecutionSignaled], f.History.TakeLast(2).Select(e => e.EventType));
        Assert.Equal(f.State.WorkflowTask.ScheduledEventId, f.History[^2].EventId);
    }

    [Fact]
    public void StickyAttributes_NextTaskGoesToLiveStickyQueue_ElseFallsBackAndClearsStickiness()
    {
        var f = new TransitionFixture();
        f.LiveStickyQueues.Add("sticky-1");
        f.Start();
        f.StartWorkflowTask();
        var sticky = new StickyExecutionAttributes { WorkerTaskQueue = new TaskQueue { Name = "sticky-1", Kind = TaskQueueKind.Sticky } };
        f.Complete(sticky, StartTimer("t", TimeSpan.FromSeconds(1)));
        var t = f.Run(t => t.FireTimer("t", 5));
        Assert.Equal("sticky-1", Assert.Single(t.NewTasks).Queue.Name);
        Assert.True(f.State.WorkflowTask!.OnStickyQueue);

        f.StartWorkflowTask();
        f.Complete(sticky, StartTimer("t2", TimeSpan.FromSeconds(1)));
        f.LiveStickyQueues.Clear();
        t = f.Run(t => t.FireTimer("t2", f.History.Last(e => e.EventType == EventType.TimerStarted).EventId));
        Assert.Equal("tq", Assert.Single(t.NewTasks).Queue.Name);
        Assert.Null(f.State.StickyQueue);
    }

    [Fact]
    public void Terminate_FlushesBufferedEventsThenCloses()
    {
        var f = new TransitionFixture();
        f.Start();
        f.StartWorkflowTask();
        f.Run(t => t.Signal("sig", null, "client", null, "", skipWorkflowTask: false));
        var t = f.Run(t => t.Terminate("stop", null, "admin"));
        Assert.Equal([EventType.WorkflowExecutionSignaled, EventType.WorkflowExecutionTerminated], t.NewEvents.Select(e => e.EventType));
        Assert.Equal(WorkflowExecutionStatus.Terminated, f.State.Status);
        Assert.True(t.DeleteAllTasks);
        Assert.Null(f.State.WorkflowTask);
    }

    [Fact]
    public void CancelTimer_AfterFireWasBuffered_DropsTheFireAndWritesCanceled()
    {
        var f = new TransitionFixture();
        f.Start();
        f.StartWorkflowTask();
        f.Complete(StartTimer("t", TimeSpan.FromSeconds(1)));
        f.Run(t => t.Signal("wake", null, "client", null, "", skipWorkflowTask: false));
        f.StartWorkflowTask();
        var timerStarted = f.History.Single(e => e.EventType == EventType.TimerStarted).EventId;
        f.Run(t => t.FireTimer("t", timerStarted));
        Assert.Single(f.State.BufferedEvents);

        f.Complete(new Temporalio.Api.Command.V1.Command
        {
            CommandType = CommandType.CancelTimer,
            CancelTimerCommandAttributes = new Temporalio.Api.Command.V1.CancelTimerCommandAttributes { TimerId = "t" },
        });
        Assert.DoesNotContain(EventType.TimerFired, f.EventTypes);
        Assert.Equal(EventType.TimerCanceled, f.History.Last().EventType);
        Assert.Empty(f.State.BufferedEvents);
    }

    private static HistoryEvent Failed(HistoryEvent e)
    {
        e.EventType = EventType.WorkflowTaskFailed;
        e.WorkflowTaskFailedEventAttributes = new WorkflowTaskFailedEventAttributes { Cause = WorkflowTaskFailedCause.WorkflowWorkerUnhandledFailure };
        return e;
    }

    [Fact]
    public void TaskToken_RoundTrips_AndRejectsGarbage()
    {
        var token = new TaskToken("ns", "wf", "run", 5, 2, 6, 1234, "act", "q");
        Assert.Equal(token, TaskToken.Deserialize(token.Serialize()));
        Assert.Throws<Core.Errors.InvalidArgumentException>(() => TaskToken.Deserialize(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }));
        var tampered = token.Serialize();
        tampered[3] ^= 0xFF;
        Assert.Throws<Core.Errors.InvalidArgumentException>(() => TaskToken.Deserialize(tampered));
    }
}

public class HistoryLimitTests
{
    [Fact]
    public void EnforceHistoryLimits_TooManyEvents_TerminatesInSameTransition()
    {
        var f = new TransitionFixture();
        f.Start();
        f.State.NextEventId = HistoryLimits.HistoryCountError + 1;
        var t = f.Run(t =>
        {
            t.Signal("s", null, "c", null, "", skipWorkflowTask: true);
            HistoryLimitEnforcement.Apply(t);
        });
        Assert.Equal(Temporalio.Api.Enums.V1.WorkflowExecutionStatus.Terminated, f.State.Status);
        Assert.Equal("Workflow history count exceeds limit.", t.NewEvents[^1].WorkflowExecutionTerminatedEventAttributes.Reason);
    }

    [Fact]
    public void EnforceHistoryLimits_UnderLimits_LeavesRunOpen()
    {
        var f = new TransitionFixture();
        f.Start();
        f.Run(HistoryLimitEnforcement.Apply);
        Assert.True(f.State.IsOpen);
    }
}
