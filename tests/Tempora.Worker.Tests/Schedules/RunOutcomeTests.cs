using Tempora.Worker.Schedules;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Failure.V1;
using static Tempora.Worker.Tests.Schedules.ScheduleKit;

namespace Tempora.Worker.Tests.Schedules;

public sealed class RunOutcomeTests
{
    private static ScheduleState PausingOnFailure()
    {
        var request = Request();
        request.Schedule.Policies.PauseOnFailure = true;
        return ScheduleMachine.Create(request, Namespace, T0);
    }

    [Fact]
    public void A_start_is_recorded_as_a_running_recent_action()
    {
        var state = Create();

        var start = ExpectStart(state, Minutes(1));
        ScheduleMachine.RecordStarted(state, start, "run-a", Minutes(1).AddSeconds(2));

        var action = Assert.Single(state.Info.RecentActions);
        Assert.Equal(Minutes(1), action.ScheduleTime.ToDateTimeOffset());
        Assert.Equal(Minutes(1).AddSeconds(2), action.ActualTime.ToDateTimeOffset());
        Assert.Equal("wf-2026-01-01T00:01:00Z", action.StartWorkflowResult.WorkflowId);
        Assert.Equal("run-a", action.StartWorkflowResult.RunId);
        Assert.Equal(WorkflowExecutionStatus.Running, action.StartWorkflowStatus);
        Assert.Equal("run-a", Assert.Single(state.Info.RunningWorkflows).RunId);
    }

    [Fact]
    public void A_close_updates_the_recent_action_and_frees_the_schedule()
    {
        var state = Create();
        var start = StartNext(state, Minutes(1));

        Close(state, start, Minutes(1.5));

        Assert.Empty(state.Info.RunningWorkflows);
        Assert.Equal(WorkflowExecutionStatus.Completed, state.Info.RecentActions[0].StartWorkflowStatus);
        Assert.Equal(Minutes(2), ExpectStart(state, Minutes(2)).Nominal);
    }

    [Fact]
    public void Only_the_ten_most_recent_actions_are_kept()
    {
        var state = Create(overlap: ScheduleOverlapPolicy.AllowAll);

        StartAll(state, Minutes(12));

        Assert.Equal(10, state.Info.RecentActions.Count);
        Assert.Equal(Minutes(3), state.Info.RecentActions[0].ScheduleTime.ToDateTimeOffset());
        Assert.Equal(12, state.Info.ActionCount);
    }

    [Fact]
    public void The_last_result_goes_to_the_next_start_and_a_failure_is_added_to_it()
    {
        var state = Create();
        var first = StartNext(state, Minutes(1));
        Close(state, first, Minutes(1.5), result: Payload("r1"));
        var second = StartNext(state, Minutes(2));
        Close(state, second, Minutes(2.5), WorkflowExecutionStatus.Failed, failure: new Failure { Message = "boom" });
        var third = StartNext(state, Minutes(3));
        Close(state, third, Minutes(3.5), result: Payload("r3"));
        var fourth = ExpectStart(state, Minutes(4));

        Assert.Equal("r1", second.Request.LastCompletionResult.Payloads_[0].Data.ToStringUtf8());
        Assert.Null(second.Request.ContinuedFailure);
        Assert.Equal("r1", third.Request.LastCompletionResult.Payloads_[0].Data.ToStringUtf8());
        Assert.Equal("boom", third.Request.ContinuedFailure.Message);
        Assert.Equal("r3", fourth.Request.LastCompletionResult.Payloads_[0].Data.ToStringUtf8());
        Assert.Null(fourth.Request.ContinuedFailure);
    }

    [Fact]
    public void Pause_on_failure_pauses_with_the_failure_in_the_notes()
    {
        var state = PausingOnFailure();
        var start = StartNext(state, Minutes(1));

        Close(state, start, Minutes(1.5), WorkflowExecutionStatus.Failed, failure: new Failure { Message = "boom" });

        Assert.True(state.Schedule.State.Paused);
        Assert.Equal("paused due to workflow failure: wf-2026-01-01T00:01:00Z: boom", state.Schedule.State.Notes);
        Assert.Null(Advance(state, Minutes(5)).Effect);
    }

    [Fact]
    public void Pause_on_failure_pauses_on_a_timeout()
    {
        var state = PausingOnFailure();
        var start = StartNext(state, Minutes(1));

        Close(state, start, Minutes(1.5), WorkflowExecutionStatus.TimedOut);

        Assert.True(state.Schedule.State.Paused);
        Assert.Equal("paused due to workflow timeout: wf-2026-01-01T00:01:00Z", state.Schedule.State.Notes);
    }

    [Theory]
    [InlineData(WorkflowExecutionStatus.Canceled)]
    [InlineData(WorkflowExecutionStatus.Terminated)]
    [InlineData(WorkflowExecutionStatus.Completed)]
    public void Pause_on_failure_ignores_other_ends(WorkflowExecutionStatus status)
    {
        var state = PausingOnFailure();
        var start = StartNext(state, Minutes(1));

        Close(state, start, Minutes(1.5), status);

        Assert.False(state.Schedule.State.Paused);
    }

    [Fact]
    public void A_failure_does_not_pause_without_the_policy()
    {
        var state = Create();
        var start = StartNext(state, Minutes(1));

        Close(state, start, Minutes(1.5), WorkflowExecutionStatus.Failed, failure: new Failure { Message = "boom" });

        Assert.False(state.Schedule.State.Paused);
    }

    [Fact]
    public void A_close_recorded_twice_changes_nothing_the_second_time()
    {
        var state = PausingOnFailure();
        var start = StartNext(state, Minutes(1));
        Close(state, start, Minutes(1.5), result: Payload("r1"));
        ScheduleMachine.ApplyPatch(state, new Temporalio.Api.Schedule.V1.SchedulePatch { Unpause = "u" }, Minutes(1.6));

        Close(state, start, Minutes(1.7), WorkflowExecutionStatus.Failed, failure: new Failure { Message = "late" });

        Assert.False(state.Schedule.State.Paused);
        Assert.Null(state.ContinuedFailure);
        Assert.Equal(WorkflowExecutionStatus.Completed, state.Info.RecentActions[0].StartWorkflowStatus);
    }
}
