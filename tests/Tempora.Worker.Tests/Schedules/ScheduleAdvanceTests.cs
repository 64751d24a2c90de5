using Tempora.Worker.Schedules;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Schedule.V1;
using ScheduleState = Tempora.Worker.Schedules.ScheduleState;
using static Tempora.Worker.Tests.Schedules.ScheduleKit;

namespace Tempora.Worker.Tests.Schedules;

public sealed class ScheduleAdvanceTests
{
    [Fact]
    public void Nothing_is_due_before_the_first_time_and_the_wake_is_that_time()
    {
        var state = Create();

        var decision = Advance(state, Minutes(0.5));

        Assert.Null(decision.Effect);
        Assert.Equal(Minutes(1), decision.NextWake);
    }

    [Fact]
    public void A_due_time_starts_the_action_with_the_nominal_time_in_its_workflow_id()
    {
        var state = Create();

        var start = ExpectStart(state, Minutes(1).AddSeconds(3));

        Assert.Equal(Minutes(1), start.Nominal);
        Assert.False(start.Manual);
        var request = start.Request;
        Assert.Equal("wf-2026-01-01T00:01:00Z", request.WorkflowId);
        Assert.Equal(Namespace, request.Namespace);
        Assert.Equal("Report", request.WorkflowType.Name);
        Assert.Equal("reports", request.TaskQueue.Name);
        Assert.Equal(WorkflowIdReusePolicy.RejectDuplicate, request.WorkflowIdReusePolicy);
        Assert.Equal("temporal-scheduler-default-sched-1", request.Identity);
        Assert.Equal("\"sched-1\"", request.SearchAttributes.IndexedFields["TemporalScheduledById"].Data.ToStringUtf8());
        Assert.Equal("\"2026-01-01T00:01:00Z\"", request.SearchAttributes.IndexedFields["TemporalScheduledStartTime"].Data.ToStringUtf8());
    }

    [Fact]
    public void The_action_is_copied_into_the_request_with_its_own_search_attributes_kept()
    {
        var request = Request();
        var action = request.Schedule.Action.StartWorkflow;
        action.Input = Payload("in");
        action.Memo = new Temporalio.Api.Common.V1.Memo { Fields = { ["m"] = Payload("memo").Payloads_[0] } };
        action.SearchAttributes = new Temporalio.Api.Common.V1.SearchAttributes { IndexedFields = { ["Team"] = Payload("\"a\"").Payloads_[0] } };
        action.WorkflowRunTimeout = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromMinutes(5));
        action.RetryPolicy = new Temporalio.Api.Common.V1.RetryPolicy { MaximumAttempts = 3 };
        action.Header = new Temporalio.Api.Common.V1.Header { Fields = { ["h"] = Payload("hdr").Payloads_[0] } };
        var state = ScheduleMachine.Create(request, Namespace, T0);

        var start = ExpectStart(state, Minutes(1)).Request;

        Assert.Equal("in", start.Input.Payloads_[0].Data.ToStringUtf8());
        Assert.Equal("memo", start.Memo.Fields["m"].Data.ToStringUtf8());
        Assert.Equal(3, start.SearchAttributes.IndexedFields.Count);
        Assert.Equal(TimeSpan.FromMinutes(5), start.WorkflowRunTimeout.ToTimeSpan());
        Assert.Equal(3, start.RetryPolicy.MaximumAttempts);
        Assert.Equal("hdr", start.Header.Fields["h"].Data.ToStringUtf8());
    }

    [Fact]
    public void The_request_id_is_the_same_when_the_same_start_is_asked_again_and_differs_for_the_next()
    {
        var state = Create(overlap: ScheduleOverlapPolicy.AllowAll);
        var copy = state.Clone();

        var first = ExpectStart(state, Minutes(1));
        var again = ExpectStart(copy, Minutes(1));
        ScheduleMachine.RecordStarted(state, first, "r1", Minutes(1));
        var next = ExpectStart(state, Minutes(2));

        Assert.Equal(first.Request.RequestId, again.Request.RequestId);
        Assert.True(Guid.TryParse(first.Request.RequestId, out _));
        Assert.NotEqual(first.Request.RequestId, next.Request.RequestId);
    }

    [Fact]
    public void Advance_asks_for_one_start_at_a_time_until_the_buffer_is_drained()
    {
        var state = Create(overlap: ScheduleOverlapPolicy.AllowAll);

        var starts = StartAll(state, Minutes(3));

        Assert.Equal([Minutes(1), Minutes(2), Minutes(3)], starts.Select(s => s.Nominal));
        Assert.Equal(3, state.Info.ActionCount);
        Assert.Null(Advance(state, Minutes(3)).Effect);
    }

    [Fact]
    public void A_start_recorded_twice_counts_once()
    {
        var state = Create();
        var start = ExpectStart(state, Minutes(1));

        ScheduleMachine.RecordStarted(state, start, "r1", Minutes(1));
        ScheduleMachine.RecordStarted(state, start, "r1", Minutes(1));

        Assert.Equal(1, state.Info.ActionCount);
        Assert.Single(state.Info.RunningWorkflows);
    }

    [Fact]
    public void Times_older_than_the_catchup_window_are_dropped_and_counted()
    {
        var state = Create(overlap: ScheduleOverlapPolicy.AllowAll, catchupWindow: TimeSpan.FromMinutes(2.5));

        var starts = StartAll(state, Minutes(5));

        // 00:01 and 00:02 are more than 2.5 minutes before 00:05.
        Assert.Equal([Minutes(3), Minutes(4), Minutes(5)], starts.Select(s => s.Nominal));
        Assert.Equal(2, state.Info.MissedCatchupWindow);
    }

    [Fact]
    public void Times_inside_the_default_catchup_window_are_all_kept()
    {
        var state = Create(every: TimeSpan.FromDays(1), overlap: ScheduleOverlapPolicy.AllowAll);

        var starts = StartAll(state, T0.AddDays(30));

        Assert.Equal(30, starts.Count);
        Assert.Equal(0, state.Info.MissedCatchupWindow);
    }

    [Fact]
    public void A_catchup_window_below_ten_seconds_counts_as_ten_seconds()
    {
        var state = Create(catchupWindow: TimeSpan.FromSeconds(1));

        var kept = ExpectStart(state, Minutes(1).AddSeconds(9));

        Assert.Equal(Minutes(1), kept.Nominal);
        Assert.Equal(TimeSpan.FromSeconds(10), state.Schedule.Policies.CatchupWindow.ToTimeSpan());
        ScheduleMachine.RecordStarted(state, kept, "r1", Minutes(1));
        Close(state, kept, Minutes(1.5));
        Assert.Null(Advance(state, Minutes(2).AddSeconds(11)).Effect);
        Assert.Equal(1, state.Info.MissedCatchupWindow);
    }

    [Fact]
    public void A_paused_schedule_lets_due_times_pass_without_acting_and_does_not_wake()
    {
        var state = Create();
        ScheduleMachine.ApplyPatch(state, new SchedulePatch { Pause = "maintenance" }, T0);

        var decision = Advance(state, Minutes(3));

        Assert.Null(decision.Effect);
        Assert.Null(decision.NextWake);
        Assert.Equal(0, state.Info.MissedCatchupWindow);
        Assert.Equal("maintenance", state.Schedule.State.Notes);
    }

    [Fact]
    public void After_unpausing_only_times_after_the_unpause_are_acted_on()
    {
        var state = Create();
        ScheduleMachine.ApplyPatch(state, new SchedulePatch { Pause = "p" }, T0);
        Advance(state, Minutes(3.5));

        ScheduleMachine.ApplyPatch(state, new SchedulePatch { Unpause = "back" }, Minutes(3.5));
        var decision = Advance(state, Minutes(3.5));
        var start = ExpectStart(state, Minutes(4));

        Assert.Null(decision.Effect);
        Assert.Equal(Minutes(4), decision.NextWake);
        Assert.Equal(Minutes(4), start.Nominal);
        Assert.False(state.Schedule.State.Paused);
        Assert.Equal("back", state.Schedule.State.Notes);
    }

    [Fact]
    public void Empty_pause_and_unpause_notes_change_nothing()
    {
        var state = Create();
        var token = state.ConflictToken;

        ScheduleMachine.ApplyPatch(state, new SchedulePatch(), T0);

        Assert.False(state.Schedule.State.Paused);
        Assert.Equal(token, state.ConflictToken);
    }

    [Fact]
    public void Pausing_and_unpausing_change_the_conflict_token()
    {
        var state = Create();

        ScheduleMachine.ApplyPatch(state, new SchedulePatch { Pause = "p" }, T0);
        ScheduleMachine.ApplyPatch(state, new SchedulePatch { Unpause = "u" }, T0);

        Assert.Equal(3, state.ConflictToken);
    }

    [Fact]
    public void Notes_over_the_limit_are_refused()
    {
        var state = Create();
        var notes = new string('n', 1001);

        var error = Assert.Throws<ScheduleRequestException>(() => ScheduleMachine.ApplyPatch(state, new SchedulePatch { Pause = notes }, T0));

        Assert.Equal("Schedule notes exceeds limit.", error.Message);
        Assert.False(state.Schedule.State.Paused);
    }

    [Fact]
    public void Remaining_actions_count_down_on_each_start_and_stop_the_schedule_at_zero()
    {
        var request = Request(overlap: ScheduleOverlapPolicy.AllowAll);
        request.Schedule.State = new Temporalio.Api.Schedule.V1.ScheduleState { LimitedActions = true, RemainingActions = 2 };
        var state = ScheduleMachine.Create(request, Namespace, T0);

        var starts = StartAll(state, Minutes(5));
        var decision = Advance(state, Minutes(6));

        Assert.Equal(2, starts.Count);
        Assert.Equal(0, state.Schedule.State.RemainingActions);
        Assert.Null(decision.Effect);
        Assert.Null(decision.NextWake);
    }

    [Fact]
    public void A_refused_start_is_dropped_and_does_not_use_a_remaining_action()
    {
        var request = Request();
        request.Schedule.State = new Temporalio.Api.Schedule.V1.ScheduleState { LimitedActions = true, RemainingActions = 1 };
        var state = ScheduleMachine.Create(request, Namespace, T0);
        var start = ExpectStart(state, Minutes(1));

        ScheduleMachine.RecordAlreadyRunning(state, start, Minutes(1));

        Assert.Equal(1, state.Schedule.State.RemainingActions);
        Assert.Equal(0, state.Info.ActionCount);
        Assert.Equal(0, state.BufferSize);
        Assert.Equal(Minutes(2), ExpectStart(state, Minutes(2)).Nominal);
    }

    [Fact]
    public void An_update_acts_only_on_times_after_it_and_bumps_the_conflict_token()
    {
        var state = Create();
        StartAll(state, Minutes(1));
        var update = new Temporalio.Api.WorkflowService.V1.UpdateScheduleRequest
        {
            Namespace = Namespace,
            ScheduleId = ScheduleId,
            Schedule = Request(every: TimeSpan.FromMinutes(2), overlap: ScheduleOverlapPolicy.AllowAll).Schedule,
            ConflictToken = ScheduleMachine.ConflictTokenBytes(state.ConflictToken),
        };

        // The schedule was not looked at between 00:01 and the update at 00:05.
        ScheduleMachine.ApplyUpdate(state, update, Minutes(5));
        var starts = StartAll(state, Minutes(6));

        Assert.Equal([Minutes(6)], starts.Select(s => s.Nominal));
        Assert.Equal(2, state.ConflictToken);
        Assert.Equal(Minutes(5), state.Info.UpdateTime.ToDateTimeOffset());
        Assert.Equal(ScheduleOverlapPolicy.AllowAll, state.Schedule.Policies.OverlapPolicy);
        Assert.Equal(2, state.Info.ActionCount);
    }

    [Fact]
    public void An_update_with_a_stale_conflict_token_changes_nothing()
    {
        var state = Create();
        var update = new Temporalio.Api.WorkflowService.V1.UpdateScheduleRequest
        {
            Schedule = Request(every: TimeSpan.FromMinutes(2)).Schedule,
            ConflictToken = ScheduleMachine.ConflictTokenBytes(state.ConflictToken + 5),
        };

        ScheduleMachine.ApplyUpdate(state, update, Minutes(5));

        Assert.False(ScheduleMachine.IsCurrentConflictToken(state, update.ConflictToken));
        Assert.Equal(1, state.ConflictToken);
        Assert.Null(state.Info.UpdateTime);
        Assert.Equal(TimeSpan.FromMinutes(1), state.Schedule.Spec.Interval[0].Interval.ToTimeSpan());
    }

    [Fact]
    public void An_update_replaces_search_attributes_only_when_it_has_some()
    {
        var request = Request();
        request.SearchAttributes = new Temporalio.Api.Common.V1.SearchAttributes { IndexedFields = { ["Team"] = Payload("\"a\"").Payloads_[0] } };
        var state = ScheduleMachine.Create(request, Namespace, T0);

        ScheduleMachine.ApplyUpdate(state, new Temporalio.Api.WorkflowService.V1.UpdateScheduleRequest { Schedule = Request().Schedule }, Minutes(1));
        var kept = state.SearchAttributes!.IndexedFields.Count;
        ScheduleMachine.ApplyUpdate(state, new Temporalio.Api.WorkflowService.V1.UpdateScheduleRequest
        {
            Schedule = Request().Schedule,
            SearchAttributes = new Temporalio.Api.Common.V1.SearchAttributes(),
        }, Minutes(2));

        Assert.Equal(1, kept);
        Assert.Empty(state.SearchAttributes!.IndexedFields);
    }

    [Fact]
    public void An_update_replaces_the_memo_only_when_it_has_one()
    {
        var request = Request();
        request.Memo = new Temporalio.Api.Common.V1.Memo { Fields = { ["owner"] = Payload("\"ops\"").Payloads_[0] } };
        var state = ScheduleMachine.Create(request, Namespace, T0);

        ScheduleMachine.ApplyUpdate(state, new Temporalio.Api.WorkflowService.V1.UpdateScheduleRequest { Schedule = Request().Schedule }, Minutes(1));
        var kept = state.Memo!.Fields["owner"].Data.ToStringUtf8();
        ScheduleMachine.ApplyUpdate(state, new Temporalio.Api.WorkflowService.V1.UpdateScheduleRequest
        {
            Schedule = Request().Schedule,
            Memo = new Temporalio.Api.Common.V1.Memo { Fields = { ["owner"] = Payload("\"dev\"").Payloads_[0] } },
        }, Minutes(2));

        Assert.Equal("\"ops\"", kept);
        Assert.Equal("\"dev\"", state.Memo!.Fields["owner"].Data.ToStringUtf8());
    }

    [Fact]
    public void A_schedule_without_an_action_buffers_nothing()
    {
        var request = Request();
        request.Schedule.Action = null;
        var state = ScheduleMachine.Create(request, Namespace, T0);

        var decision = Advance(state, Minutes(3));

        Assert.Null(decision.Effect);
        Assert.Equal(0, state.BufferSize);
    }
}
