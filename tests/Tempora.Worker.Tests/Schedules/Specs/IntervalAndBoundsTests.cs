using Google.Protobuf.WellKnownTypes;
using Temporalio.Api.Schedule.V1;
using static Tempora.Worker.Tests.Schedules.Specs.SpecTesting;

// exclude_calendar is deprecated in the API, yet a server must still read it.
#pragma warning disable CS0612

namespace Tempora.Worker.Tests.Schedules.Specs;

public sealed class IntervalAndBoundsTests
{
    private static IntervalSpec Every(double minutes, double phaseMinutes = 0) =>
        new() { Interval = Minutes(minutes), Phase = Minutes(phaseMinutes) };

    [Fact]
    public void Intervals_count_from_the_Unix_epoch()
    {
        var spec = new ScheduleSpec { Interval = { Every(90) } };

        Assert.Equal(
            [Utc(2022, 3, 23, 13, 30), Utc(2022, 3, 23, 15, 0), Utc(2022, 3, 23, 16, 30)],
            Nominals(spec, Utc(2022, 3, 23, 12, 53, 2), 3));
    }

    [Fact]
    public void A_phase_shifts_every_interval_time()
    {
        var spec = new ScheduleSpec { Interval = { Every(90, 5) } };

        Assert.Equal(
            [Utc(2022, 3, 23, 13, 35), Utc(2022, 3, 23, 15, 5)],
            Nominals(spec, Utc(2022, 3, 23, 12, 53, 2), 2));
    }

    [Fact]
    public void Intervals_ignore_the_time_zone()
    {
        var spec = new ScheduleSpec { Interval = { Every(60) }, TimezoneName = "Asia/Kolkata" };

        Assert.Equal([Utc(2024, 1, 1, 1)], Nominals(spec, Utc(2024, 1, 1, 0, 10), 1));
    }

    [Fact]
    public void Intervals_and_calendars_merge()
    {
        var spec = new ScheduleSpec
        {
            Interval = { Every(90, 7) },
            Calendar = { new CalendarSpec { Hour = "11", Minute = "55" } },
        };

        Assert.Equal(
            [Utc(2022, 3, 23, 10, 37), Utc(2022, 3, 23, 11, 55), Utc(2022, 3, 23, 12, 7)],
            Nominals(spec, Utc(2022, 3, 23, 10), 3));
    }

    [Fact]
    public void Exclusions_remove_matching_times()
    {
        var spec = new ScheduleSpec
        {
            Interval = { Every(90) },
            ExcludeCalendar = { new CalendarSpec { Hour = "12-14", Minute = "*", Second = "*" } },
        };

        Assert.Equal(
            [Utc(2022, 3, 23, 9), Utc(2022, 3, 23, 10, 30), Utc(2022, 3, 23, 15), Utc(2022, 3, 23, 16, 30)],
            Nominals(spec, Utc(2022, 3, 23, 8), 4));
    }

    [Fact]
    public void Structured_exclusions_in_the_specs_zone_remove_weekends()
    {
        var spec = new ScheduleSpec
        {
            CronString = { "0 9 * * *" },
            ExcludeStructuredCalendar =
            {
                new StructuredCalendarSpec
                {
                    Second = { Range(0, 59) }, Minute = { Range(0, 59) }, Hour = { Range(0, 23) },
                    DayOfMonth = { Range(1, 31) }, Month = { Range(1, 12) }, DayOfWeek = { Range(0), Range(6) },
                },
            },
            TimezoneName = "Europe/Berlin",
        };

        // 2024-03-01 is a Friday.
        Assert.Equal([At(2024, 3, 1, 9, 0, 1), At(2024, 3, 4, 9, 0, 1)], Nominals(spec, Utc(2024, 3, 1), 2));
    }

    [Fact]
    public void A_spec_whose_every_time_is_excluded_has_no_next_time()
    {
        var spec = new ScheduleSpec
        {
            Interval = { Every(7 * 24 * 60) },
            ExcludeCalendar = { new CalendarSpec { Second = "*", Minute = "*", Hour = "*" } },
        };

        Assert.Empty(Nominals(spec, Utc(2090, 3, 23, 12, 53), 1));
    }

    [Fact]
    public void A_spec_with_no_calendar_or_interval_has_no_next_time()
    {
        Assert.Empty(Nominals(new ScheduleSpec(), Utc(2024, 1, 1), 1));
    }

    [Fact]
    public void The_start_time_is_the_first_candidate_and_times_before_it_are_skipped()
    {
        var spec = new ScheduleSpec
        {
            Interval = { Every(90) },
            StartTime = Timestamp.FromDateTimeOffset(Utc(2022, 3, 23, 12)),
        };

        Assert.Equal([Utc(2022, 3, 23, 12), Utc(2022, 3, 23, 13, 30)], Nominals(spec, Utc(2022, 3, 23, 8), 2));
    }

    [Fact]
    public void A_start_time_with_a_fraction_of_a_second_does_not_fire_itself()
    {
        var spec = new ScheduleSpec
        {
            Interval = { Every(60) },
            StartTime = Timestamp.FromDateTimeOffset(Utc(2022, 3, 23, 12).AddMilliseconds(456)),
        };

        Assert.Equal([Utc(2022, 3, 23, 13)], Nominals(spec, Utc(2022, 3, 23, 12).AddMilliseconds(123), 1));
    }

    [Fact]
    public void Nothing_comes_after_the_end_time_and_the_end_time_itself_may_fire()
    {
        var spec = new ScheduleSpec
        {
            Interval = { Every(90) },
            EndTime = Timestamp.FromDateTimeOffset(Utc(2022, 3, 23, 15)),
        };

        Assert.Equal([Utc(2022, 3, 23, 13, 30), Utc(2022, 3, 23, 15)], Nominals(spec, Utc(2022, 3, 23, 12), 5));
    }

    [Fact]
    public void An_end_time_before_the_start_time_means_no_times_as_in_Temporal()
    {
        var spec = new ScheduleSpec
        {
            Interval = { Every(60) },
            StartTime = Timestamp.FromDateTimeOffset(Utc(2024, 2, 1)),
            EndTime = Timestamp.FromDateTimeOffset(Utc(2024, 1, 1)),
        };

        Assert.Empty(Nominals(spec, Utc(2023, 12, 1), 1));
    }

    [Fact]
    public void Times_stop_after_the_year_2100()
    {
        var spec = new ScheduleSpec { Interval = { Every(24 * 60) } };

        Assert.Equal([Utc(2100, 12, 31)], Nominals(spec, Utc(2100, 12, 30, 12), 3));
    }
}
