using Google.Protobuf.WellKnownTypes;
using Tempora.Worker.Schedules;
using Temporalio.Api.Schedule.V1;
using static Tempora.Worker.Tests.Schedules.ScheduleKit;
using ScheduleState = Tempora.Worker.Schedules.ScheduleState;

namespace Tempora.Worker.Tests.Schedules;

public sealed class ScheduleRetentionTests
{
    private static ScheduleState EndingAtThree()
    {
        var request = Request();
        request.Schedule.Spec.EndTime = Timestamp.FromDateTimeOffset(Minutes(3));
        return ScheduleMachine.Create(request, Namespace, T0);
    }

    [Fact]
    public void A_schedule_with_times_ahead_is_kept()
    {
        var state = Create();

        Assert.Null(ScheduleMachine.RetentionExpiry(state, Minutes(10)));
    }

    [Fact]
    public void A_schedule_past_its_end_expires_a_week_after_its_last_action()
    {
        var state = EndingAtThree();
        var last = StartNext(state, Minutes(1));
        Close(state, last, Minutes(1.5));
        StartNext(state, Minutes(3));

        var decision = Advance(state, Minutes(4));

        Assert.Null(decision.NextWake);
        Assert.Equal(Minutes(3).AddDays(7), ScheduleMachine.RetentionExpiry(state, Minutes(4)));
    }

    [Fact]
    public void A_paused_schedule_is_kept_even_with_nothing_ahead()
    {
        var state = EndingAtThree();
        ScheduleMachine.ApplyPatch(state, new SchedulePatch { Pause = "p" }, Minutes(4));

        Assert.Null(ScheduleMachine.RetentionExpiry(state, Minutes(4)));
    }

    [Fact]
    public void A_schedule_out_of_actions_expires_a_week_after_its_creation_if_it_never_acted()
    {
        var request = Request();
        request.Schedule.State = new Temporalio.Api.Schedule.V1.ScheduleState { LimitedActions = true, RemainingActions = 0 };
        var state = ScheduleMachine.Create(request, Namespace, T0);

        Assert.Equal(T0.AddDays(7), ScheduleMachine.RetentionExpiry(state, Minutes(1)));
    }

    [Fact]
    public void A_failed_start_is_dropped_without_counting_as_an_action()
    {
        var state = Create();
        var start = ExpectStart(state, Minutes(1));

        ScheduleMachine.RecordStartFailed(state, start);

        Assert.Equal(0, state.BufferSize);
        Assert.Equal(0, state.Info.ActionCount);
        Assert.Null(Advance(state, Minutes(1)).Effect);
    }
}
