using Google.Protobuf.WellKnownTypes;
using Tempora.Core;
using Tempora.History.Execution;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Failure.V1;
using static Tempora.History.Tests.TransitionFixture;

namespace Tempora.History.Tests;

public class ActivityStateTests
{
    private static (TransitionFixture F, ActivityInfo Activity) Scheduled(RetryPolicy? retry = null)
    {
        var f = new TransitionFixture();
        f.Start();
        f.StartWorkflowTask();
        f.Complete(ScheduleActivity("a1", retry: retry));
        return (f, f.State.Activities.Values.Single());
    }

    private static void StartActivity(TransitionFixture f, ActivityInfo a) => f.Run(t =>
        t.StartActivity(a, new MatchingTask(a.TaskId, new TaskQueueKey("ns", "tq", TaskKind.Activity), "wf", f.State.RunId, a.ScheduledEventId, a.Attempt, f.Now),
            "worker", "req"));

    [Fact]
    public void ScheduleActivity_DefaultsRetryPolicyAndNormalisesTimeouts()
    {
        var (f, a) = Scheduled();
        var scheduled = f.History.Single(e => e.EventType == EventType.ActivityTaskScheduled).ActivityTaskScheduledEventAttributes;
        Assert.Equal(TimeSpan.FromSeconds(1), scheduled.RetryPolicy.InitialInterval.ToTimeSpan());
        Assert.Equal(2.0, scheduled.RetryPolicy.BackoffCoefficient);
        Assert.Equal(TimeSpan.FromSeconds(100), scheduled.RetryPolicy.MaximumInterval.ToTimeSpan());
        Assert.Equal(TimeSpan.FromSeconds(30), scheduled.StartToCloseTimeout.ToTimeSpan());
        Assert.Equal("tq", a.TaskQueue);
    }

    [Fact]
    public void Complete_WritesLazyStartedThenCompleted_AndSchedulesWorkflowTask()
    {
        var (f, a) = Scheduled();
        StartActivity(f, a);
        var t = f.Run(t => t.CompleteActivity(a, new Payloads(), "worker"));
        Assert.Equal([EventType.ActivityTaskStarted, EventType.ActivityTaskCompleted, EventType.WorkflowTaskScheduled],
            t.NewEvents.Select(e => e.EventType));
        var completed = t.NewEvents[1].ActivityTaskCompletedEventAttributes;
        Assert.Equal(t.NewEvents[0].EventId, completed.StartedEventId);
        Assert.Empty(f.State.Activities);
    }

    [Fact]
    public void Fail_Retryable_RetriesAfterBackoffWithoutEvents()
    {
        var (f, a) = Scheduled();
        StartActivity(f, a);
        var t = f.Run(t => t.FailActivityAttempt(a, new Failure { Message = "boom", ApplicationFailureInfo = new ApplicationFailureInfo { Type = "X" } },
            null, "worker"));
        Assert.Empty(t.NewEvents);
        Assert.Equal(2, a.Attempt);
        Assert.False(a.IsStarted);
        Assert.Equal("boom", a.LastFailure!.Message);
        Assert.Contains(t.NewTimers, timer => timer.FireTime == f.Now + TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void Fail_NonRetryableType_FailsActivity()
    {
        var retry = new RetryPolicy { NonRetryableErrorTypes = { "Fatal" } };
        var (f, a) = Scheduled(retry);
        StartActivity(f, a);
        var t = f.Run(t => t.FailActivityAttempt(a, new Failure { ApplicationFailureInfo = new ApplicationFailureInfo { Type = "Fatal" } }, null, "w"));
        var failed = t.NewEvents.Single(e => e.EventType == EventType.ActivityTaskFailed).ActivityTaskFailedEventAttributes;
        Assert.Equal(RetryState.NonRetryableFailure, failed.RetryState);
    }

    [Fact]
    public void Fail_MaximumAttemptsReached_FailsActivity()
    {
        var (f, a) = Scheduled(new RetryPolicy { MaximumAttempts = 1 });
        StartActivity(f, a);
        var t = f.Run(t => t.FailActivityAttempt(a, new Failure { Message = "x" }, null, "w"));
        var failed = t.NewEvents.Single(e => e.EventType == EventType.ActivityTaskFailed).ActivityTaskFailedEventAttributes;
        Assert.Equal(RetryState.MaximumAttemptsReached, failed.RetryState);
    }

    [Fact]
    public void RequestCancel_NotStarted_CancelsImmediately()
    {
        var (f, a) = Scheduled();
        f.Run(t => t.Signal("wake", null, "client", null, "", skipWorkflowTask: false));
        f.StartWorkflowTask();
        f.Complete(new Temporalio.Api.Command.V1.Command
        {
            CommandType = CommandType.RequestCancelActivityTask,
            RequestCancelActivityTaskCommandAttributes = new Temporalio.Api.Command.V1.RequestCancelActivityTaskCommandAttributes { ScheduledEventId = a.ScheduledEventId },
        });
        Assert.Equal([EventType.WorkflowTaskCompleted, EventType.ActivityTaskCancelRequested, EventType.ActivityTaskCanceled, EventType.WorkflowTaskScheduled],
            f.History.TakeLast(4).Select(e => e.EventType));
        Assert.Empty(f.State.Activities);
    }

    [Fact]
    public void HeartbeatTimeout_Timer_TimesOutAttempt()
    {
        var (f, a) = Scheduled(new RetryPolicy { MaximumAttempts = 1 });
        a.HeartbeatTimeout = TimeSpan.FromSeconds(5);
        StartActivity(f, a);
        f.Now += TimeSpan.FromSeconds(6);
        var t = f.Run(t => t.TimeoutActivity(a, TimeoutType.Heartbeat));
        var timedOut = t.NewEvents.Single(e => e.EventType == EventType.ActivityTaskTimedOut).ActivityTaskTimedOutEventAttributes;
        Assert.Equal(TimeoutType.Heartbeat, timedOut.Failure.TimeoutFailureInfo.TimeoutType);
        Assert.Equal("activity Heartbeat timeout", timedOut.Failure.Message);
    }

    [Fact]
    public void DuplicateActivityId_FailsWorkflowTask()
    {
        var (f, _) = Scheduled();
        f.Run(t => t.Signal("s", null, "c", null, "", false));
        f.StartWorkflowTask();
        var e = Assert.Throws<CommandValidationException>(() => f.Complete(ScheduleActivity("a1")));
        Assert.Equal(WorkflowTaskFailedCause.ScheduleActivityDuplicateId, e.Cause);
    }

    [Fact]
    public void MissingTimeouts_FailsWorkflowTask()
    {
        var f = new TransitionFixture();
        f.Start();
        f.StartWorkflowTask();
        var command = ScheduleActivity("a");
        command.ScheduleActivityTaskCommandAttributes.StartToCloseTimeout = null;
        var e = Assert.Throws<CommandValidationException>(() => f.Complete(command));
        Assert.Equal(WorkflowTaskFailedCause.BadScheduleActivityAttributes, e.Cause);
    }

    [Fact]
    public void ScheduleActivity_PendingLimitReached_FailsWorkflowTask()
    {
        var f = new TransitionFixture();
        f.Start();
        f.StartWorkflowTask();
        for (var i = 0; i < HistoryLimits.PendingActivitiesLimit; i++)
        {
            f.State.Activities[100_000 + i] = new ActivityInfo { ActivityId = $"existing-{i}" };
        }
        var e = Assert.Throws<CommandValidationException>(() => f.Complete(ScheduleActivity("one-too-many")));
        Assert.Equal(WorkflowTaskFailedCause.PendingActivitiesLimitExceeded, e.Cause);
    }

    [Fact]
    public void StartChild_PendingLimitReached_FailsWorkflowTask()
    {
        var f = new TransitionFixture();
        f.Start();
        f.StartWorkflowTask();
        for (var i = 0; i < HistoryLimits.PendingChildrenLimit; i++)
        {
            f.State.Children[100_000 + i] = new ChildInfo { InitiatedEventId = 100_000 + i };
        }
        var e = Assert.Throws<CommandValidationException>(() => f.Complete(new Temporalio.Api.Command.V1.Command
        {
            CommandType = CommandType.StartChildWorkflowExecution,
            StartChildWorkflowExecutionCommandAttributes = new Temporalio.Api.Command.V1.StartChildWorkflowExecutionCommandAttributes
            {
                WorkflowId = "child",
                WorkflowType = new WorkflowType { Name = "Child" },
            },
        }));
        Assert.Equal(WorkflowTaskFailedCause.PendingChildWorkflowsLimitExceeded, e.Cause);
    }
}
