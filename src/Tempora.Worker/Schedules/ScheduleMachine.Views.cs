using Google.Protobuf.WellKnownTypes;
using Tempora.Worker.Schedules.Specs;
using Temporalio.Api.Schedule.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Worker.Schedules;

public static partial class ScheduleMachine
{
    /// <summary>DescribeSchedule's answer (future action times computed from now).</summary>
    /// <remarks>Memo and search attributes are the user's own; running workflows are as last recorded (the RPC layer
    /// may check them, as Temporal's frontend does).</remarks>
    public static DescribeScheduleResponse Describe(ScheduleState state, string scheduleId, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        var schedule = state.Schedule.Clone();
        CleanRanges(schedule.Spec);
        var info = state.Info.Clone();
        info.FutureActionTimes.Clear();
        info.FutureActionTimes.AddRange(FutureActionTimes(state, now, ScheduleLimits.FutureActionCount));
        info.BufferSize = state.BufferedStarts.Count;
        return new DescribeScheduleResponse
        {
            Schedule = schedule,
            Info = info,
            Memo = state.Memo is { Fields.Count: > 0 } ? state.Memo.Clone() : null,
            SearchAttributes = state.SearchAttributes is { IndexedFields.Count: > 0 } ? state.SearchAttributes.Clone() : null,
            ConflictToken = ConflictTokenBytes(state.ConflictToken),
        };
    }

    /// <summary>The list entry's info as ListSchedules shows it (kept in the schedule's visibility memo).</summary>
    /// <remarks>Fewer recent actions and future times than Describe (5 of each), and no time zone data.</remarks>
    public static ScheduleListInfo ListInfo(ScheduleState state, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        var spec = state.Schedule.Spec.Clone();
        spec.TimezoneData = Google.Protobuf.ByteString.Empty;
        CleanRanges(spec);
        var info = new ScheduleListInfo
        {
            Spec = spec,
            WorkflowType = state.Schedule.Action?.StartWorkflow?.WorkflowType?.Clone(),
            Notes = state.Schedule.State.Notes,
            Paused = state.Schedule.State.Paused,
        };
        info.RecentActions.AddRange(state.Info.RecentActions.TakeLast(ScheduleLimits.RecentActionCountForList).Select(a => a.Clone()));
        info.FutureActionTimes.AddRange(FutureActionTimes(state, now, ScheduleLimits.FutureActionCountForList));
        return info;
    }

    /// <summary>ListScheduleMatchingTimes: the nominal-time matches of the spec in [start, end].</summary>
    /// <remarks>As Temporal answers it: the times when actions would be taken (jitter included), after
    /// <paramref name="start"/> and up to <paramref name="end"/>, at most 1000; pause and remaining actions do not
    /// matter.</remarks>
    public static IReadOnlyList<Timestamp> MatchingTimes(ScheduleState state, string scheduleId, DateTimeOffset start, DateTimeOffset end)
    {
        ArgumentNullException.ThrowIfNull(state);
        var spec = CompiledSpec.Compile(state.Schedule.Spec);
        var seed = JitterSeed(state);
        var times = new List<Timestamp>();
        var after = start;
        while (times.Count < ScheduleLimits.MaxMatchingTimes && spec.NextAfter(after, seed) is { } due && due.Actual <= end)
        {
            times.Add(Timestamp.FromDateTimeOffset(due.Actual));
            after = due.Actual;
        }
        return times;
    }

    /// <summary>
    /// When Temporal would delete the schedule for having nothing left to do (its scheduler workflow ends 7 days
    /// after its last event: creation, update or action), or null while it may still act: it is paused, has a due
    /// time ahead and actions left, or an allow-all backfill to finish. The runner decides whether to honour it.
    /// </summary>
    public static DateTimeOffset? RetentionExpiry(ScheduleState state, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Schedule.State.Paused || HasMoreAllowAllBackfills(state))
        {
            return null;
        }
        var after = state.LastProcessedTime > now ? state.LastProcessedTime : now;
        if (CanTakeScheduledAction(state) && CompiledSpec.Compile(state.Schedule.Spec).NextAfter(after, JitterSeed(state)) is not null)
        {
            return null;
        }
        var lastEvent = state.Info.CreateTime?.ToDateTimeOffset() ?? DateTimeOffset.MinValue;
        if (state.Info.UpdateTime?.ToDateTimeOffset() is { } updated && updated > lastEvent)
        {
            lastEvent = updated;
        }
        if (state.Info.RecentActions.LastOrDefault()?.ActualTime?.ToDateTimeOffset() is { } acted && acted > lastEvent)
        {
            lastEvent = acted;
        }
        return lastEvent + ScheduleLimits.IdleRetention;
    }

    /// <summary>
    /// The next action times (actual, jitter included), as many as remaining actions allow; none before the last
    /// update. Counted from the high-water mark, so a due time whose jitter delays it past now is still shown; if
    /// the schedule has not been looked at for a while, from now.
    /// </summary>
    private static IEnumerable<Timestamp> FutureActionTimes(ScheduleState state, DateTimeOffset now, int count)
    {
        if (state.Schedule.State.LimitedActions)
        {
            count = (int)Math.Min(count, Math.Max(0, state.Schedule.State.RemainingActions));
        }
        var spec = CompiledSpec.Compile(state.Schedule.Spec);
        var seed = JitterSeed(state);
        var updateTime = state.Info.UpdateTime?.ToDateTimeOffset();
        var due = spec.NextAfter(state.LastProcessedTime, seed);
        if (due is { } first && first.Actual <= now)
        {
            due = spec.NextAfter(now, seed);
        }
        var times = new List<Timestamp>();
        while (times.Count < count && due is { } time)
        {
            if (updateTime is not { } updated || time.Actual >= updated)
            {
                times.Add(Timestamp.FromDateTimeOffset(time.Actual));
            }
            due = spec.NextAfter(time.Actual, seed);
        }
        return times;
    }

    /// <summary>Calendar ranges as Temporal shows them: an end before the start is the start, a step of 0 is 1.</summary>
    private static void CleanRanges(ScheduleSpec spec)
    {
        foreach (var calendar in spec.StructuredCalendar.Concat(spec.ExcludeStructuredCalendar))
        {
            foreach (var range in new[] { calendar.Second, calendar.Minute, calendar.Hour, calendar.DayOfMonth, calendar.Month, calendar.Year, calendar.DayOfWeek }.SelectMany(r => r))
            {
                if (range.End < range.Start)
                {
                    range.End = range.Start;
                }
                if (range.Step == 0)
                {
                    range.Step = 1;
                }
            }
        }
    }
}
