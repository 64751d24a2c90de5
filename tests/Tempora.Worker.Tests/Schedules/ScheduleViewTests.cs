using Tempora.Worker.Schedules;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Schedule.V1;
using ScheduleState = Tempora.Worker.Schedules.ScheduleState;
using static Tempora.Worker.Tests.Schedules.ScheduleKit;

namespace Tempora.Worker.Tests.Schedules;

public sealed class ScheduleViewTests
{
    [Fact]
    public void Describe_shows_the_next_ten_action_times_and_the_defaults()
    {
        var state = Create();

        var described = ScheduleMachine.Describe(state, ScheduleId, Minutes(0.5));

        Assert.Equal(Enumerable.Range(1, 10).Select(m => Minutes(m)), described.Info.FutureActionTimes.Select(t => t.ToDateTimeOffset()));
        Assert.Equal(T0, described.Info.CreateTime.ToDateTimeOffset());
        Assert.Equal(ScheduleOverlapPolicy.Skip, described.Schedule.Policies.OverlapPolicy);
        Assert.Equal(TimeSpan.FromDays(365), described.Schedule.Policies.CatchupWindow.ToTimeSpan());
        Assert.Equal([0, 0, 0, 0, 0, 0, 0, 1], described.ConflictToken.ToByteArray());
    }

    [Fact]
    public void Describe_shows_no_more_future_times_than_remaining_actions()
    {
        var request = Request();
        request.Schedule.State = new Temporalio.Api.Schedule.V1.ScheduleState { LimitedActions = true, RemainingActions = 3 };
        var state = ScheduleMachine.Create(request, Namespace, T0);

        var described = ScheduleMachine.Describe(state, ScheduleId, T0);

        Assert.Equal(3, described.Info.FutureActionTimes.Count);
    }

    [Fact]
    public void Describe_counts_future_times_from_now_when_the_schedule_has_not_been_looked_at()
    {
        var state = Create();

        var described = ScheduleMachine.Describe(state, ScheduleId, Minutes(30.5));

        Assert.Equal(Minutes(31), described.Info.FutureActionTimes[0].ToDateTimeOffset());
    }

    [Fact]
    public void Describe_shows_the_buffer_size_memo_and_search_attributes()
    {
        var request = Request(overlap: ScheduleOverlapPolicy.BufferAll);
        request.Memo = new Memo { Fields = { ["owner"] = Payload("me").Payloads_[0] } };
        request.SearchAttributes = new SearchAttributes { IndexedFields = { ["Team"] = Payload("\"a\"").Payloads_[0] } };
        var state = ScheduleMachine.Create(request, Namespace, T0);
        StartNext(state, Minutes(1));
        Advance(state, Minutes(3));

        var described = ScheduleMachine.Describe(state, ScheduleId, Minutes(3));

        Assert.Equal(2, described.Info.BufferSize);
        Assert.Equal("me", described.Memo.Fields["owner"].Data.ToStringUtf8());
        Assert.True(described.SearchAttributes.IndexedFields.ContainsKey("Team"));
    }

    [Fact]
    public void Describe_leaves_out_an_empty_memo_and_search_attributes()
    {
        var described = ScheduleMachine.Describe(Create(), ScheduleId, T0);

        Assert.Null(described.Memo);
        Assert.Null(described.SearchAttributes);
    }

    [Fact]
    public void Describe_shows_calendar_ranges_with_their_defaults()
    {
        var state = Create();
        state.Schedule.Spec.StructuredCalendar.Add(new StructuredCalendarSpec { Hour = { new Temporalio.Api.Schedule.V1.Range { Start = 5 } } });

        var range = ScheduleMachine.Describe(state, ScheduleId, T0).Schedule.Spec.StructuredCalendar[0].Hour[0];

        Assert.Equal(5, range.End);
        Assert.Equal(1, range.Step);
        Assert.Equal(0, state.Schedule.Spec.StructuredCalendar[0].Hour[0].Step);
    }

    [Fact]
    public void The_list_entry_shows_five_recent_actions_and_five_future_times()
    {
        var state = Create(overlap: ScheduleOverlapPolicy.AllowAll);
        StartAll(state, Minutes(7));
        ScheduleMachine.ApplyPatch(state, new SchedulePatch { Pause = "resting" }, Minutes(7));

        var info = ScheduleMachine.ListInfo(state, Minutes(7));

        Assert.Equal([3, 4, 5, 6, 7], info.RecentActions.Select(a => a.ScheduleTime.ToDateTimeOffset().Minute));
        Assert.Equal(Enumerable.Range(8, 5).Select(m => Minutes(m)), info.FutureActionTimes.Select(t => t.ToDateTimeOffset()));
        Assert.Equal("Report", info.WorkflowType.Name);
        Assert.True(info.Paused);
        Assert.Equal("resting", info.Notes);
        Assert.Single(info.Spec.Interval);
    }

    [Fact]
    public void Matching_times_are_the_times_after_the_start_up_to_the_end()
    {
        var state = Create();
        ScheduleMachine.ApplyPatch(state, new SchedulePatch { Pause = "does not matter" }, T0);

        var times = ScheduleMachine.MatchingTimes(state, ScheduleId, Minutes(10), Minutes(13));

        Assert.Equal([Minutes(11), Minutes(12), Minutes(13)], times.Select(t => t.ToDateTimeOffset()));
    }

    [Fact]
    public void Matching_times_stop_at_a_thousand()
    {
        var state = Create(every: TimeSpan.FromSeconds(1));

        var times = ScheduleMachine.MatchingTimes(state, ScheduleId, T0, T0.AddDays(1));

        Assert.Equal(1000, times.Count);
    }
}
