using Google.Protobuf.WellKnownTypes;
using Tempora.Core;
using Tempora.History.Execution;
using Tempora.History.Queues;
using Tempora.Persistence;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Failure.V1;
using static Tempora.History.Tests.TransitionFixture;

namespace Tempora.History.Tests;

/// <summary>
/// The operator's controls of a pending activity (pause, unpause, reset, options) as transitions: bookkeeping only,
/// no events, and the tasks and timers that dispatch or time out an attempt follow the pause.
/// </summary>
public class ActivityControlTests
{
    private static readonly Failure Boom = new() { Message = "boom", ApplicationFailureInfo = new ApplicationFailureInfo { Type = "X" } };

    private static (TransitionFixture F, ActivityInfo Activity) Scheduled(RetryPolicy? retry = null)
    {
        var f = new TransitionFixture();
        f.Start();
        f.StartWorkflowTask();
        f.Complete(ScheduleActivity("a1", retry: retry));
        return (f, f.State.Activities.Values.Single());
    }

    private static void StartActivity(TransitionFixture f, ActivityInfo a) => f.Run(t =>
        t.StartActivity(a, new MatchingTask(a.TaskId, new TaskQueueKey("ns", a.TaskQueue, TaskKind.Activity), "wf", f.State.RunId, a.ScheduledEventId, a.Attempt, f.Now),
            "worker", "req"));

    private static void AssertRebuilds(TransitionFixture f) =>
        Assert.Null(RebuildCheck.FirstDifference(f.State, MutableStateRebuilder.Rebuild(f.State, f.History, f.State.BufferedEvents)));

    private static TimerTaskInfo Info(TimerTaskRecord timer) => StateSerializer.DeserializeValue<TimerTaskInfo>(timer.Data);

    [Fact]
    public void Pause_WaitingActivity_RetiresItsTaskAndWritesNoEvent()
    {
        var (f, a) = Scheduled();
        var task = a.TaskId;
        var t = f.Run(t => t.PauseActivity(a, "ops", "flaky"));
        Assert.Empty(t.NewEvents);
        Assert.Contains(task, t.DeletedTasks);
        Assert.Equal(0, a.TaskId);
        Assert.True(a.Paused);
        Assert.Equal(("ops", "flaky", f.Now), (a.PauseInfo!.Identity, a.PauseInfo.Reason, a.PauseInfo.PauseTime));
        AssertRebuilds(f);
    }

    [Fact]
    public void Pause_StartedActivity_KeepsTheAttemptRunning()
    {
        var (f, a) = Scheduled();
        StartActivity(f, a);
        var t = f.Run(t => t.PauseActivity(a, "ops", ""));
        Assert.Empty(t.DeletedTimers);
        Assert.True(a.IsStarted);
        Assert.True(a.Paused);
    }

    [Fact]
    public void Fail_WhilePaused_EndsTheAttemptWithoutSchedulingARetry()
    {
        var (f, a) = Scheduled();
        StartActivity(f, a);
        f.Run(t => t.PauseActivity(a, "ops", ""));
        var t = f.Run(t => t.FailActivityAttempt(a, Boom, null, "worker"));
        Assert.Empty(t.NewEvents);
        Assert.Empty(t.NewTasks);
        Assert.DoesNotContain(t.NewTimers, timer => Info(timer).Kind == TimerTaskKind.ActivityRetry);
        Assert.False(a.IsStarted);
        Assert.Equal(1, a.Attempt); // the attempt is not counted as retried until it runs again
        Assert.Equal("boom", a.LastFailure!.Message);
    }

    [Fact]
    public void Fail_NonRetryableWhilePaused_FailsTheActivity()
    {
        var (f, a) = Scheduled();
        StartActivity(f, a);
        f.Run(t => t.PauseActivity(a, "ops", ""));
        var t = f.Run(t => t.FailActivityAttempt(a, new Failure { ApplicationFailureInfo = new() { NonRetryable = true } }, null, "worker"));
        Assert.Contains(t.NewEvents, e => e.EventType == EventType.ActivityTaskFailed);
    }

    [Fact]
    public void Unpause_WaitingActivity_DispatchesNowWithResetAttemptsAndHeartbeat()
    {
        var (f, a) = Scheduled();
        StartActivity(f, a);
        f.Run(t => t.RecordActivityHeartbeat(a, new Payloads { Payloads_ = { new Payload() } }));
        f.Run(t => t.FailActivityAttempt(a, Boom, null, "worker"));
        f.Run(t => t.PauseActivity(a, "ops", ""));
        f.Now += TimeSpan.FromMinutes(5);
        var t = f.Run(t => t.UnpauseActivity(a, resetAttempts: true, resetHeartbeat: true, jitter: TimeSpan.Zero));
        var task = Assert.Single(t.NewTasks);
        Assert.Equal((1, a.ScheduledEventId), (task.Attempt, task.ScheduledEventId));
        Assert.Equal(task.TaskId, a.TaskId);
        Assert.False(a.Paused);
        Assert.Null(a.PauseInfo);
        Assert.Null(a.HeartbeatDetails);
        Assert.Equal(f.Now, a.CurrentAttemptScheduledTime);
        AssertRebuilds(f);
    }

    [Fact]
    public void Unpause_WithJitter_ArmsARetryTimerWithinIt()
    {
        var (f, a) = Scheduled();
        f.Run(t => t.PauseActivity(a, "ops", ""));
        var t = f.Run(t => t.UnpauseActivity(a, false, false, TimeSpan.FromMinutes(1)));
        var retry = Assert.Single(t.NewTimers, timer => Info(timer).Kind == TimerTaskKind.ActivityRetry);
        Assert.InRange(retry.FireTime, f.Now, f.Now + TimeSpan.FromMinutes(1));
        Assert.Empty(t.NewTasks);
    }

    [Fact]
    public void Unpause_NotPaused_ChangesNothing()
    {
        var (f, a) = Scheduled();
        var t = f.Run(t => t.UnpauseActivity(a, true, true, TimeSpan.Zero));
        Assert.False(t.HasChanges);
    }

    [Fact]
    public void Reset_WaitingForRetry_StartsOverAtAttemptOneNow()
    {
        var (f, a) = Scheduled();
        StartActivity(f, a);
        f.Run(t => t.FailActivityAttempt(a, Boom, null, "worker"));
        StartActivity(f, a = f.State.Activities.Values.Single());
        f.Run(t => t.FailActivityAttempt(a, Boom, null, "worker"));
        Assert.Equal(3, a.Attempt);
        var t = f.Run(t => t.ResetActivity(a, resetHeartbeat: false, keepPaused: false, restoreOriginalOptions: false, TimeSpan.Zero));
        var task = Assert.Single(t.NewTasks);
        Assert.Equal(1, task.Attempt);
        Assert.Equal(1, a.Attempt);
        Assert.Null(a.LastFailure);
    }

    [Fact]
    public void Reset_PausedWithKeepPaused_StaysPausedAtAttemptOne()
    {
        var (f, a) = Scheduled();
        StartActivity(f, a);
        f.Run(t => t.FailActivityAttempt(a, Boom, null, "worker"));
        f.Run(t => t.PauseActivity(a, "ops", ""));
        var t = f.Run(t => t.ResetActivity(a, false, keepPaused: true, false, TimeSpan.Zero));
        Assert.Empty(t.NewTasks);
        Assert.True(a.Paused);
        Assert.Equal(1, a.Attempt);
    }

    [Fact]
    public void Reset_StartedAttempt_IsToldByHeartbeatAndTheNextAttemptIsOne()
    {
        var (f, a) = Scheduled();
        StartActivity(f, a);
        f.Run(t => t.FailActivityAttempt(a, Boom, null, "worker"));
        StartActivity(f, a);
        f.Run(t => t.RecordActivityHeartbeat(a, new Payloads { Payloads_ = { new Payload() } }));
        f.Run(t => t.ResetActivity(a, resetHeartbeat: true, keepPaused: false, false, TimeSpan.Zero));
        Assert.Equal(2, a.Attempt); // the running attempt keeps its number (its task token stays valid)
        Assert.True(a.ResetRequested);
        var t = f.Run(t => t.FailActivityAttempt(a, Boom, null, "worker"));
        var task = Assert.Single(t.NewTasks);
        Assert.Equal(1, task.Attempt);
        Assert.False(a.ResetRequested);
        Assert.Null(a.HeartbeatDetails);
    }

    [Fact]
    public void UpdateOptions_WaitingActivity_RequeuesOnTheNewQueueAndKeepsTheOriginal()
    {
        var (f, a) = Scheduled();
        var options = Transition.OptionsOf(a);
        options.TaskQueue.Name = "other";
        options.StartToCloseTimeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(5));
        options.RetryPolicy.MaximumAttempts = 3;
        var old = a.TaskId;
        var t = f.Run(t => t.UpdateActivityOptions(a, options));
        Assert.Empty(t.NewEvents);
        Assert.Contains(old, t.DeletedTasks);
        Assert.Equal("other", Assert.Single(t.NewTasks).Queue.Name);
        Assert.Equal("tq", a.OriginalOptions!.TaskQueue.Name);
        Assert.Equal(3, a.RetryPolicy.MaximumAttempts);
        AssertRebuilds(f); // the changed options are bookkeeping; the event's are kept and compared

        f.Run(t => t.UpdateActivityOptions(a, a.OriginalOptions!));
        Assert.Null(a.OriginalOptions);
        Assert.Equal("tq", a.TaskQueue);
        AssertRebuilds(f);
    }

    [Fact]
    public void UpdateOptions_StartedActivity_RearmsItsStartToCloseTimeout()
    {
        var (f, a) = Scheduled();
        StartActivity(f, a);
        var options = Transition.OptionsOf(a);
        options.StartToCloseTimeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(5));
        var t = f.Run(t => t.UpdateActivityOptions(a, options));
        Assert.Contains(t.NewTimers, timer => Info(timer).TimeoutType == TimeoutType.StartToClose && timer.FireTime == a.StartedTime + TimeSpan.FromSeconds(5));
        Assert.NotEmpty(t.DeletedTimers);
    }

    [Fact]
    public void UpdateOptions_MaximumAttempts_AppliesToTheNextFailure()
    {
        var (f, a) = Scheduled();
        StartActivity(f, a);
        var options = Transition.OptionsOf(a);
        options.RetryPolicy.MaximumAttempts = 1;
        f.Run(t => t.UpdateActivityOptions(a, options));
        var t = f.Run(t => t.FailActivityAttempt(a, Boom, null, "worker"));
        var failed = Assert.Single(t.NewEvents, e => e.EventType == EventType.ActivityTaskFailed).ActivityTaskFailedEventAttributes;
        Assert.Equal(RetryState.MaximumAttemptsReached, failed.RetryState);
    }
}
