using Tempora.Worker.Schedules;
using Temporalio.Api.Enums.V1;
using static Tempora.Worker.Tests.Schedules.ScheduleKit;

namespace Tempora.Worker.Tests.Schedules;

/// <summary>A run started at 00:01 is still going when 00:02 and 00:03 fall due: each policy's answer.</summary>
public sealed class OverlapPolicyTests
{
    private static (ScheduleState State, StartEffect First) RunningAtOne(ScheduleOverlapPolicy policy)
    {
        var state = Create(overlap: policy);
        var first = StartNext(state, Minutes(1));
        return (state, first);
    }

    [Fact]
    public void Unspecified_means_skip_and_is_shown_as_skip()
    {
        var state = Create();

        Assert.Equal(ScheduleOverlapPolicy.Skip, state.Schedule.Policies.OverlapPolicy);
    }

    [Fact]
    public void Skip_drops_times_that_fall_due_while_a_run_is_going()
    {
        var (state, first) = RunningAtOne(ScheduleOverlapPolicy.Skip);

        var decision = Advance(state, Minutes(3));
        Close(state, first, Minutes(3.5));
        var after = Advance(state, Minutes(3.5));

        Assert.Null(decision.Effect);
        Assert.Null(after.Effect);
        Assert.Equal(2, state.Info.OverlapSkipped);
        Assert.Equal(Minutes(4), after.NextWake);
    }

    [Fact]
    public void Buffer_one_keeps_the_first_overlapping_time_and_starts_it_when_the_run_closes()
    {
        var (state, first) = RunningAtOne(ScheduleOverlapPolicy.BufferOne);

        Assert.Null(Advance(state, Minutes(3)).Effect);
        Close(state, first, Minutes(3.5));
        var next = ExpectStart(state, Minutes(3.5));

        Assert.Equal(Minutes(2), next.Nominal);
        Assert.Equal(1, state.Info.OverlapSkipped);
    }

    [Fact]
    public void Buffer_all_starts_every_overlapping_time_one_after_the_other()
    {
        var (state, first) = RunningAtOne(ScheduleOverlapPolicy.BufferAll);

        Assert.Null(Advance(state, Minutes(3)).Effect);
        Assert.Equal(2, state.BufferSize);
        Close(state, first, Minutes(3.2));
        var second = StartNext(state, Minutes(3.2));
        Assert.Null(Advance(state, Minutes(3.2)).Effect);
        Close(state, second, Minutes(3.4));
        var third = StartNext(state, Minutes(3.4));

        Assert.Equal(Minutes(2), second.Nominal);
        Assert.Equal(Minutes(3), third.Nominal);
        Assert.Equal(0, state.Info.OverlapSkipped);
    }

    [Fact]
    public void Cancel_other_cancels_the_running_workflow_once_then_starts_when_it_closes()
    {
        var (state, first) = RunningAtOne(ScheduleOverlapPolicy.CancelOther);

        var stop = Assert.IsType<StopEffect>(Advance(state, Minutes(2)).Effect);
        ScheduleMachine.RecordStopped(state, stop);
        var whileCancelling = Advance(state, Minutes(2));
        Close(state, first, Minutes(2.1), WorkflowExecutionStatus.Canceled);
        var next = ExpectStart(state, Minutes(2.1));

        Assert.False(stop.Terminate);
        Assert.Equal(first.Request.WorkflowId, stop.WorkflowId);
        Assert.Equal(RunId(first), stop.RunId);
        Assert.Equal("cancelled by schedule overlap policy", stop.Reason);
        Assert.Null(whileCancelling.Effect);
        Assert.Equal(Minutes(2), next.Nominal);
    }

    [Fact]
    public void Terminate_other_terminates_the_running_workflow_then_starts_when_it_closes()
    {
        var (state, first) = RunningAtOne(ScheduleOverlapPolicy.TerminateOther);

        var stop = Assert.IsType<StopEffect>(Advance(state, Minutes(2)).Effect);
        ScheduleMachine.RecordStopped(state, stop);
        Close(state, first, Minutes(2.1), WorkflowExecutionStatus.Terminated);
        var next = ExpectStart(state, Minutes(2.1));

        Assert.True(stop.Terminate);
        Assert.Equal("terminated by schedule overlap policy", stop.Reason);
        Assert.Equal(Minutes(2), next.Nominal);
    }

    [Fact]
    public void Cancel_other_with_several_due_times_and_nothing_running_starts_only_the_latest()
    {
        var state = Create(overlap: ScheduleOverlapPolicy.CancelOther);

        var starts = StartAll(state, Minutes(3));

        Assert.Equal([Minutes(3)], starts.Select(s => s.Nominal));
    }

    [Fact]
    public void Allow_all_starts_overlapping_runs_and_does_not_track_them_as_running()
    {
        var state = Create(overlap: ScheduleOverlapPolicy.AllowAll);

        var starts = StartAll(state, Minutes(2));

        Assert.Equal(2, starts.Count);
        Assert.Empty(state.Info.RunningWorkflows);
        Assert.Equal(2, state.Info.RecentActions.Count);
    }

    [Fact]
    public void Allow_all_runs_get_no_last_completion_result()
    {
        var state = Create(overlap: ScheduleOverlapPolicy.AllowAll);
        state.LastCompletionResult = Payload("previous");

        var start = ExpectStart(state, Minutes(1));

        Assert.Null(start.Request.LastCompletionResult);
    }

    [Fact]
    public void An_updated_policy_applies_to_starts_already_buffered()
    {
        var (state, first) = RunningAtOne(ScheduleOverlapPolicy.BufferAll);
        Advance(state, Minutes(2));
        var update = new Temporalio.Api.WorkflowService.V1.UpdateScheduleRequest
        {
            Schedule = Request(overlap: ScheduleOverlapPolicy.Skip).Schedule,
        };

        ScheduleMachine.ApplyUpdate(state, update, Minutes(2.5));
        var decision = Advance(state, Minutes(2.5));

        Assert.Null(decision.Effect);
        Assert.Equal(0, state.BufferSize);
        Assert.Equal(1, state.Info.OverlapSkipped);
        Assert.Single(state.Info.RunningWorkflows, r => r.WorkflowId == first.Request.WorkflowId);
    }
}
