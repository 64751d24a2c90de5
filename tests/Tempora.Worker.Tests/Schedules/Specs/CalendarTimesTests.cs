using Tempora.Worker.Schedules.Specs;
using Temporalio.Api.Schedule.V1;
using static Tempora.Worker.Tests.Schedules.Specs.SpecTesting;

namespace Tempora.Worker.Tests.Schedules.Specs;

public sealed class CalendarTimesTests
{
    [Fact]
    public void An_empty_calendar_fires_at_midnight_every_day()
    {
        var spec = new ScheduleSpec { Calendar = { new CalendarSpec() } };

        Assert.Equal([Utc(2024, 3, 2), Utc(2024, 3, 3)], Nominals(spec, Utc(2024, 3, 1, 12), 2));
    }

    [Fact]
    public void The_next_time_is_strictly_after_the_given_time()
    {
        var spec = Cron("30 12 * * *");

        Assert.Equal([Utc(2024, 3, 2, 12, 30)], Nominals(spec, Utc(2024, 3, 1, 12, 30), 1));
        Assert.Equal([Utc(2024, 3, 1, 12, 30)], Nominals(spec, Utc(2024, 3, 1, 12, 29, 59), 1));
    }

    [Fact]
    public void Several_calendars_and_cron_strings_merge_in_time_order()
    {
        var spec = new ScheduleSpec
        {
            Calendar = { new CalendarSpec { Hour = "5,7", Minute = "23" } },
            CronString = { "55 11,13 * * *" },
        };

        Assert.Equal(
            [Utc(2024, 3, 1, 5, 23), Utc(2024, 3, 1, 7, 23), Utc(2024, 3, 1, 11, 55), Utc(2024, 3, 1, 13, 55), Utc(2024, 3, 2, 5, 23)],
            Nominals(spec, Utc(2024, 3, 1, 3), 5));
    }

    [Fact]
    public void Structured_ranges_with_steps_select_every_nth_value()
    {
        var spec = new ScheduleSpec
        {
            StructuredCalendar =
            {
                new StructuredCalendarSpec
                {
                    Second = { Range(0, 59, 20) },
                    Minute = { Range(10) },
                    Hour = { Range(9, 17, 4) },
                    DayOfMonth = { Range(1, 31) },
                    Month = { Range(1, 12) },
                    DayOfWeek = { Range(0, 6) },
                },
            },
        };

        Assert.Equal(
            [
                Utc(2024, 3, 1, 9, 10, 0), Utc(2024, 3, 1, 9, 10, 20), Utc(2024, 3, 1, 9, 10, 40),
                Utc(2024, 3, 1, 13, 10, 0), Utc(2024, 3, 1, 13, 10, 20), Utc(2024, 3, 1, 13, 10, 40),
                Utc(2024, 3, 1, 17, 10, 0),
            ],
            Nominals(spec, Utc(2024, 3, 1), 7));
    }

    [Fact]
    public void Day_of_month_and_weekday_must_both_match()
    {
        // Friday the 13th, at noon.
        var times = Nominals(Cron("0 12 13 * fri"), Utc(2024, 1, 1), 3);

        Assert.Equal([Utc(2024, 9, 13, 12), Utc(2024, 12, 13, 12), Utc(2025, 6, 13, 12)], times);
    }

    [Fact]
    public void February_29th_fires_only_in_leap_years()
    {
        Assert.Equal([Utc(2028, 2, 29), Utc(2032, 2, 29)], Nominals(Cron("0 0 29 2 *"), Utc(2024, 3, 1), 2));
    }

    [Fact]
    public void Year_ranges_bound_the_times_and_nothing_comes_after_them()
    {
        var times = Nominals(Cron("0 0 1 1 * 2030-2031"), Utc(2024, 1, 1), 5);

        Assert.Equal([Utc(2030, 1, 1), Utc(2031, 1, 1)], times);
    }

    [Fact]
    public void A_calendar_in_a_zone_fires_at_local_wall_time()
    {
        var times = Nominals(Cron("0 9 * * *", "America/New_York"), Utc(2024, 6, 30), 1);

        Assert.Equal([At(2024, 6, 30, 9, 0, -4)], times);
    }

    [Fact]
    public void Spring_forward_skips_a_daily_time_inside_the_gap_in_New_York()
    {
        // 2024-03-10: 02:00 EST jumps to 03:00 EDT, so that day has no 02:30.
        var times = Nominals(Cron("30 2 * * *", "America/New_York"), At(2024, 3, 9, 0, 0, -5), 3);

        Assert.Equal([At(2024, 3, 9, 2, 30, -5), At(2024, 3, 11, 2, 30, -4), At(2024, 3, 12, 2, 30, -4)], times);
    }

    [Fact]
    public void Spring_forward_keeps_hourly_times_an_hour_apart_in_New_York()
    {
        var times = Nominals(Cron("0 * * * *", "America/New_York"), At(2024, 3, 10, 0, 30, -5), 3);

        Assert.Equal([At(2024, 3, 10, 1, 0, -5), At(2024, 3, 10, 3, 0, -4), At(2024, 3, 10, 4, 0, -4)], times);
        Assert.Equal(TimeSpan.FromHours(1), times[1] - times[0]);
    }

    [Fact]
    public void Fall_back_fires_in_both_copies_of_the_repeated_hour_in_New_York()
    {
        // 2024-11-03: 02:00 EDT falls back to 01:00 EST, so 01:30 happens twice.
        var times = Nominals(Cron("30 1 * * *", "America/New_York"), At(2024, 11, 2, 12, 0, -4), 3);

        Assert.Equal([At(2024, 11, 3, 1, 30, -4), At(2024, 11, 3, 1, 30, -5), At(2024, 11, 4, 1, 30, -5)], times);
    }

    [Fact]
    public void Fall_back_hourly_times_cover_the_repeated_hour_in_New_York()
    {
        var times = Nominals(Cron("30 * * * *", "America/New_York"), At(2024, 11, 3, 0, 0, -4), 4);

        Assert.Equal(
            [At(2024, 11, 3, 0, 30, -4), At(2024, 11, 3, 1, 30, -4), At(2024, 11, 3, 1, 30, -5), At(2024, 11, 3, 2, 30, -5)],
            times);
    }

    [Fact]
    public void Starting_inside_the_second_copy_stays_in_it_in_New_York()
    {
        var times = Nominals(Cron("45 1 * * *", "America/New_York"), At(2024, 11, 3, 1, 10, -5), 1);

        Assert.Equal([At(2024, 11, 3, 1, 45, -5)], times);
    }

    [Fact]
    public void Spring_forward_skips_a_daily_time_inside_the_gap_in_Berlin()
    {
        // 2024-03-31: 02:00 CET jumps to 03:00 CEST.
        var times = Nominals(Cron("30 2 * * *", "Europe/Berlin"), At(2024, 3, 30, 0, 0, 1), 2);

        Assert.Equal([At(2024, 3, 30, 2, 30, 1), At(2024, 4, 1, 2, 30, 2)], times);
    }

    [Fact]
    public void Fall_back_in_Berlin_fires_the_repeated_hour_once_as_Temporal_does()
    {
        // 2024-10-27: 03:00 CEST falls back to 02:00 CET. Temporal resolves wall times the way Go's time.Date does,
        // which east of UTC makes the repeated hour fire once: in its first copy (CEST) when the walk comes from
        // 01:xx, in its second (CET) when it jumps straight to hour 2. We reproduce that rather than improve on it.
        var hourly = Nominals(Cron("30 * * * *", "Europe/Berlin"), At(2024, 10, 27, 1, 0, 2), 3);
        var daily = Nominals(Cron("30 2 * * *", "Europe/Berlin"), At(2024, 10, 27, 0, 0, 2), 1);

        Assert.Equal([At(2024, 10, 27, 1, 30, 2), At(2024, 10, 27, 2, 30, 2), At(2024, 10, 27, 3, 30, 1)], hourly);
        Assert.Equal([At(2024, 10, 27, 2, 30, 1)], daily);
    }

    [Fact]
    public void Every_second_before_a_due_time_leads_to_that_due_time_across_a_fall_back()
    {
        var spec = CompiledSpec.Compile(Cron("33 33,44 1 * * * *", "America/New_York"));
        var after = At(2024, 11, 3, 0, 50, -4);

        var seen = new List<DateTimeOffset>();
        for (var due = spec.NextAfter(after, "")!.Value.Nominal; seen.Count < 5; due = spec.NextAfter(due, "")!.Value.Nominal)
        {
            for (var t = after; t < due; t = t.AddSeconds(7))
            {
                Assert.Equal(due, spec.NextAfter(t, "")!.Value.Nominal);
            }
            seen.Add(due);
            after = due;
        }

        Assert.Equal(
            [
                At(2024, 11, 3, 1, 33, -4).AddSeconds(33), At(2024, 11, 3, 1, 44, -4).AddSeconds(33),
                At(2024, 11, 3, 1, 33, -5).AddSeconds(33), At(2024, 11, 3, 1, 44, -5).AddSeconds(33),
                At(2024, 11, 4, 1, 33, -5).AddSeconds(33),
            ],
            seen);
    }

    [Fact]
    public void Leaving_the_repeated_hour_for_a_later_day_drops_the_repeat_shift()
    {
        // Starting in the second 01:xx of 2024-11-03, the next time is weeks away and must not be an hour late.
        var times = Nominals(Cron("5 0 1 * *", "America/New_York"), At(2024, 11, 3, 1, 20, -5), 1);

        Assert.Equal([At(2024, 12, 1, 0, 5, -5)], times);
    }

    [Fact]
    public void A_structured_calendar_with_an_empty_field_never_fires_as_in_Temporal()
    {
        // Temporal fills defaults only when it parses calendar text; SDKs send structured calendars filled in.
        var spec = new ScheduleSpec
        {
            StructuredCalendar =
            {
                new StructuredCalendarSpec
                {
                    Minute = { Range(0) }, Hour = { Range(0) }, DayOfMonth = { Range(1, 31) },
                    Month = { Range(1, 12) }, DayOfWeek = { Range(0, 6) },
                },
            },
        };

        Assert.Empty(Nominals(spec, Utc(2099, 1, 1), 1));
    }

    [Fact]
    public void Nothing_is_due_after_the_last_calendar_year()
    {
        Assert.Empty(Nominals(Cron("@hourly"), DateTimeOffset.MaxValue, 1));
        Assert.Equal([Utc(2100, 12, 31, 23)], Nominals(Cron("@hourly"), Utc(2100, 12, 31, 22, 30), 2));
    }
}
