using Google.Protobuf.WellKnownTypes;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using static Tempora.History.Tests.TransitionFixture;

namespace Tempora.History.Tests;

/// <summary>
/// A run's close deletes all its timer rows in one statement; the ids it reports as retired are what the in-memory
/// timer queue forgets, so that none of them fires later at the closed run.
/// </summary>
public class RetiredTimersTests
{
    [Fact]
    public void Close_RetiresEveryPendingTimerTheStateKnows_AndNoneOfTheTimersItArmsItself()
    {
        var f = new TransitionFixture();
        f.Start();
        f.StartWorkflowTask();
        var activity = ScheduleActivity("a1");
        activity.ScheduleActivityTaskCommandAttributes.ScheduleToCloseTimeout = Duration.FromTimeSpan(TimeSpan.FromHours(1));
        var armed = f.Complete(activity, StartTimer("t1", TimeSpan.FromHours(1)));
        f.Run(t => t.Signal("sig", null, "client", null, "r1", skipWorkflowTask: false));
        f.StartWorkflowTask();
        var pending = armed.NewTimers.Select(t => t.TaskId).ToList();
        pending.Add(f.State.WorkflowTask!.TimeoutTaskId);
        Assert.Equal(3, pending.Distinct().Count(id => id > 0)); // schedule-to-close of a1, the user timer, the task's timeout

        var close = f.Run(t =>
        {
            var e = t.NewEvent(EventType.WorkflowExecutionTerminated);
            e.WorkflowExecutionTerminatedEventAttributes = new WorkflowExecutionTerminatedEventAttributes { Reason = "test" };
            t.CloseExecution(e);
        });

        Assert.Equal(pending.Order(), close.RetiredTimers.Order());
        Assert.DoesNotContain(close.NewTimers, t => close.RetiredTimers.Contains(t.TaskId));
    }
}
