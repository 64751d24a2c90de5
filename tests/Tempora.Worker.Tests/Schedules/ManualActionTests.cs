using Google.Protobuf.WellKnownTypes;
using Tempora.Worker.Schedules;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Schedule.V1;
using ScheduleState = Tempora.Worker.Schedules.ScheduleState;
using static Tempora.Worker.Tests.Schedules.ScheduleKit;

namespace Tempora.Worker.Tests.Schedules;

public sealed class ManualActionTests
{
    private static SchedulePatch Backfill(DateTimeOffset start, DateTimeOffset end, ScheduleOverlapPolicy policy) => new()
    {
        BackfillRequest =
        {
            new BackfillRequest
            {
                StartTime = Timestamp.FromDateTimeOffset(start),
                EndTime = Timestamp.FromDateTimeOffset(end),
                OverlapPolicy = policy,
            },
        },
    };

    [Fact]
    public void Trigger_immediately_starts_now_even_while_paused()
    {
        var state = Create(every: TimeSpan.FromHours(1));
        ScheduleMachine.ApplyPatch(state, new SchedulePatch { Pause = "p" }, T0);
        var now = Minutes(7.5);

        ScheduleMachine.ApplyPatch(state, new SchedulePatch { TriggerImmediately = new TriggerImmediatelyRequest() }, now);
        var start = ExpectStart(state, now);

        Assert.True(start.Manual);
        Assert.Equal(now, start.Nominal);
        Assert.Equal("wf-2026-01-01T00:07:30Z", start.Request.WorkflowId);
        Assert.Equal(WorkflowIdReusePolicy.AllowDuplicate, start.Request.WorkflowIdReusePolicy);
    }

    [Fact]
    public void Trigger_follows_its_own_overlap_policy()
    {
        var state = Create(every: TimeSpan.FromHours(1));
        var running = StartNext(state, T0.AddHours(1));

        ScheduleMachine.ApplyPatch(state, new SchedulePatch
        {
            TriggerImmediately = new TriggerImmediatelyRequest { OverlapPolicy = ScheduleOverlapPolicy.AllowAll },
        }, T0.AddHours(1.5));
        var start = ExpectStart(state, T0.AddHours(1.5));

        Assert.True(start.Manual);
        Assert.Single(state.Info.RunningWorkflows, r => r.WorkflowId == running.Request.WorkflowId);
    }

    [Fact]
    public void Trigger_does_not_use_a_remaining_action()
    {
        var request = Request();
        request.Schedule.State = new Temporalio.Api.Schedule.V1.ScheduleState { LimitedActions = true, RemainingActions = 1 };
        var state = ScheduleMachine.Create(request, Namespace, T0);

        ScheduleMachine.ApplyPatch(state, new SchedulePatch { TriggerImmediately = new TriggerImmediatelyRequest() }, Minutes(0.5));
        StartNext(state, Minutes(0.5));

        Assert.Equal(1, state.Schedule.State.RemainingActions);
        Assert.Equal(1, state.Info.ActionCount);
    }

    [Fact]
    public void A_backfill_starts_every_time_in_its_range_including_the_start_with_its_own_policy()
    {
        var state = Create(every: TimeSpan.FromHours(1));
        var from = T0.AddDays(-1);

        ScheduleMachine.ApplyPatch(state, Backfill(from, from.AddHours(3), ScheduleOverlapPolicy.AllowAll), T0);
        var starts = StartAll(state, T0);

        Assert.Equal([from, from.AddHours(1), from.AddHours(2), from.AddHours(3)], starts.Select(s => s.Nominal));
        Assert.All(starts, s => Assert.True(s.Manual));
        Assert.Equal(0, state.Info.MissedCatchupWindow);
    }

    [Fact]
    public void A_long_backfill_is_buffered_a_few_times_per_look_and_asks_to_be_woken_soon()
    {
        var state = Create(every: TimeSpan.FromHours(1));
        var from = T0.AddDays(-2);
        ScheduleMachine.ApplyPatch(state, Backfill(from, from.AddHours(23), ScheduleOverlapPolicy.AllowAll), T0);

        var decision = Advance(state, T0);
        var buffered = state.BufferSize;
        var all = StartAll(state, T0);

        Assert.IsType<StartEffect>(decision.Effect);
        Assert.Equal(10, buffered);
        Assert.Equal(T0.AddSeconds(1), decision.NextWake);
        Assert.Equal(24, all.Count);
        Assert.Equal(24, all.Select(s => s.Nominal).Distinct().Count());
    }

    [Fact]
    public void A_backfill_with_skip_starts_the_first_time_and_skips_the_rest_while_it_runs()
    {
        var state = Create(every: TimeSpan.FromHours(1));
        var from = T0.AddDays(-1);

        ScheduleMachine.ApplyPatch(state, Backfill(from, from.AddHours(2), ScheduleOverlapPolicy.Skip), T0);
        var starts = StartAll(state, T0);

        Assert.Equal([from], starts.Select(s => s.Nominal));
        Assert.Equal(2, state.Info.OverlapSkipped);
    }

    [Fact]
    public void Two_backfills_of_the_same_time_are_two_different_requests()
    {
        var state = Create(every: TimeSpan.FromHours(1));
        var at = T0.AddDays(-1);

        ScheduleMachine.ApplyPatch(state, Backfill(at, at, ScheduleOverlapPolicy.AllowAll), T0);
        ScheduleMachine.ApplyPatch(state, Backfill(at, at, ScheduleOverlapPolicy.AllowAll), T0);
        var starts = StartAll(state, T0);

        Assert.Equal(2, starts.Count);
        Assert.Equal(starts[0].Request.WorkflowId, starts[1].Request.WorkflowId);
        Assert.NotEqual(starts[0].Request.RequestId, starts[1].Request.RequestId);
    }

    [Fact]
    public void An_initial_patch_is_applied_at_creation()
    {
        var request = Request(every: TimeSpan.FromHours(1));
        request.InitialPatch = new SchedulePatch { TriggerImmediately = new TriggerImmediatelyRequest(), Pause = "created paused" };

        var state = ScheduleMachine.Create(request, Namespace, T0);
        var start = ExpectStart(state, T0);

        Assert.Equal(T0, start.Nominal);
        Assert.True(state.Schedule.State.Paused);
        Assert.Equal("created paused", state.Schedule.State.Notes);
    }
}
