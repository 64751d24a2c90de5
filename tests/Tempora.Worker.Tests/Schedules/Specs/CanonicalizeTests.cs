using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Tempora.Worker.Schedules.Specs;
using Temporalio.Api.Schedule.V1;
using static Tempora.Worker.Tests.Schedules.Specs.SpecTesting;

// exclude_calendar is deprecated in the API, yet a server must still read it.
#pragma warning disable CS0612

namespace Tempora.Worker.Tests.Schedules.Specs;

public sealed class CanonicalizeTests
{
    [Fact]
    public void An_empty_spec_stays_empty()
    {
        Assert.Equal(new ScheduleSpec(), CompiledSpec.Canonicalize(new ScheduleSpec()));
    }

    [Fact]
    public void Calendars_become_structured_with_defaults_and_are_cleared()
    {
        var spec = new ScheduleSpec
        {
            Calendar = { new CalendarSpec { Hour = "5,7", Minute = "23", Comment = "twice" } },
            ExcludeCalendar = { new CalendarSpec { DayOfWeek = "sat,sun" } },
            Jitter = Minutes(5),
            StartTime = Timestamp.FromDateTimeOffset(Utc(2024, 1, 1)),
            TimezoneName = "Europe/London",
        };

        var canonical = CompiledSpec.Canonicalize(spec);

        var calendar = Assert.Single(canonical.StructuredCalendar);
        Assert.Equal([Range(0)], calendar.Second);
        Assert.Equal([Range(23)], calendar.Minute);
        Assert.Equal([Range(5), Range(7)], calendar.Hour);
        Assert.Equal([Range(1, 31)], calendar.DayOfMonth);
        Assert.Equal([Range(1, 12)], calendar.Month);
        Assert.Equal([Range(0, 6)], calendar.DayOfWeek);
        Assert.Empty(calendar.Year);
        Assert.Equal("twice", calendar.Comment);
        Assert.Equal([Range(6), Range(0)], Assert.Single(canonical.ExcludeStructuredCalendar).DayOfWeek);
        Assert.Empty(canonical.Calendar);
        Assert.Empty(canonical.ExcludeCalendar);
        Assert.Equal(spec.Jitter, canonical.Jitter);
        Assert.Equal(spec.StartTime, canonical.StartTime);
        Assert.Equal("Europe/London", canonical.TimezoneName);
        // The request's spec is left as it was.
        Assert.Single(spec.Calendar);
    }

    [Fact]
    public void Canonicalizing_twice_changes_nothing()
    {
        var once = CompiledSpec.Canonicalize(new ScheduleSpec
        {
            CronString = { "CRON_TZ=Europe/Berlin 0 9 * * mon-fri", "TZ=Europe/Berlin 0 12 * * sat" },
            Interval = { new IntervalSpec { Interval = Minutes(90) } },
            Calendar = { new CalendarSpec { Hour = "12" } },
        });

        Assert.Equal(once, CompiledSpec.Canonicalize(once));
    }

    [Fact]
    public void Range_defaults_are_written_out_for_display()
    {
        var canonical = CompiledSpec.Canonicalize(Cron("5 */2 * * *"));

        var shown = Assert.Single(CompiledSpec.WithRangeDefaults(canonical).StructuredCalendar);

        Assert.Equal([Range(5, 5, 1)], shown.Minute);
        Assert.Equal([Range(0, 23, 2)], shown.Hour);
        Assert.Equal([Range(0)], Assert.Single(canonical.StructuredCalendar).Second);
    }

    public static TheoryData<StructuredCalendarSpec, string> BadStructuredCalendars => new()
    {
        { new StructuredCalendarSpec { Second = { Range(60) } }, "Second Start is not in range [0-59]" },
        { new StructuredCalendarSpec { Second = { Range(-3) } }, "Second Start is not in range [0-59]" },
        { new StructuredCalendarSpec { Minute = { Range(30, 60) } }, "Minute End is before Start or not in range [0-59]" },
        { new StructuredCalendarSpec { Minute = { Range(30, 40, -3) } }, "Minute has invalid Step" },
        { new StructuredCalendarSpec { Hour = { Range(16, 12) } }, "Hour End is before Start or not in range [0-23]" },
        { new StructuredCalendarSpec { DayOfMonth = { Range(0) } }, "DayOfMonth Start is not in range [1-31]" },
        { new StructuredCalendarSpec { Month = { Range(1, 13) } }, "Month End is before Start or not in range [1-12]" },
        { new StructuredCalendarSpec { Year = { Range(1999) } }, "Year Start is not in range [2000-2100]" },
        { new StructuredCalendarSpec { DayOfWeek = { Range(7) } }, "DayOfWeek Start is not in range [0-6]" },
        { new StructuredCalendarSpec { Comment = new string('x', 201) }, "comment is too long" },
        {
            new StructuredCalendarSpec { Second = { Range(61) }, Hour = { Range(24) } },
            "Second Start is not in range [0-59], Hour Start is not in range [0-23]"
        },
    };

    [Theory]
    [MemberData(nameof(BadStructuredCalendars))]
    public void Bad_structured_calendars_are_refused(StructuredCalendarSpec calendar, string problems)
    {
        Assert.Equal(
            "Invalid schedule spec: invalid calendar spec: " + problems,
            Refusal(new ScheduleSpec { StructuredCalendar = { calendar } }));
    }

    [Fact]
    public void Bad_calendar_text_is_refused_with_every_bad_field()
    {
        var spec = new ScheduleSpec { Calendar = { new CalendarSpec { Second = "99", Month = "Smarch" } } };

        Assert.Equal(
            "Invalid schedule spec: Second is not in range [0-59], Month is not in range [1-12]",
            Refusal(spec));
    }

    [Fact]
    public void Exclusion_calendar_text_is_checked_too()
    {
        var spec = new ScheduleSpec { ExcludeCalendar = { new CalendarSpec { Hour = "25" } } };

        Assert.Equal("Invalid schedule spec: Hour is not in range [0-23]", Refusal(spec));
    }

    [Theory]
    [InlineData(0, 0, "interval is too small")]
    [InlineData(-60, 0, "interval is too small")]
    [InlineData(0.5, 0, "interval is too small")]
    [InlineData(60, -1, "phase is negative")]
    [InlineData(60, 60, "phase cannot be greater than Interval")]
    [InlineData(60, 90, "phase cannot be greater than Interval")]
    public void Bad_intervals_are_refused(double intervalSeconds, double phaseSeconds, string problem)
    {
        var spec = new ScheduleSpec
        {
            Interval =
            {
                new IntervalSpec
                {
                    Interval = Duration.FromTimeSpan(TimeSpan.FromSeconds(intervalSeconds)),
                    Phase = Duration.FromTimeSpan(TimeSpan.FromSeconds(phaseSeconds)),
                },
            },
        };

        Assert.Equal("Invalid schedule spec: " + problem, Refusal(spec));
    }

    [Theory]
    [InlineData("Mars/Olympus_Mons", "unknown time zone Mars/Olympus_Mons")]
    [InlineData("america/new_york", "unknown time zone america/new_york")]
    [InlineData("../etc/passwd", "time: invalid location name")]
    [InlineData("/etc/localtime", "time: invalid location name")]
    public void Unknown_time_zones_are_refused(string zone, string problem)
    {
        Assert.Equal("Invalid schedule spec: " + problem, Refusal(new ScheduleSpec { TimezoneName = zone }));
        Assert.Throws<ScheduleSpecException>(() => CompiledSpec.Compile(new ScheduleSpec { TimezoneName = zone }));
    }

    [Theory]
    [InlineData("")]
    [InlineData("UTC")]
    [InlineData("America/New_York")]
    [InlineData("US/Pacific")]
    [InlineData("Etc/GMT+5")]
    public void Known_time_zones_are_accepted(string zone)
    {
        Assert.Equal(zone, CompiledSpec.Canonicalize(new ScheduleSpec { TimezoneName = zone }).TimezoneName);
    }

    [Fact]
    public void Raw_time_zone_data_is_refused_naming_the_field()
    {
        var spec = new ScheduleSpec { TimezoneData = ByteString.CopyFromUtf8("TZif2") };

        Assert.Contains("timezone_data", Refusal(spec), StringComparison.Ordinal);
    }
}
