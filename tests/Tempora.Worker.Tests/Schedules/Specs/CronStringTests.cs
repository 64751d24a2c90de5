using Tempora.Worker.Schedules.Specs;
using Temporalio.Api.Schedule.V1;
using static Tempora.Worker.Tests.Schedules.Specs.SpecTesting;

namespace Tempora.Worker.Tests.Schedules.Specs;

public sealed class CronStringTests
{
    private static StructuredCalendarSpec Single(string cron, string timezone = "")
    {
        var canonical = CompiledSpec.Canonicalize(Cron(cron, timezone));
        Assert.Empty(canonical.CronString);
        return Assert.Single(canonical.StructuredCalendar);
    }

    [Fact]
    public void Five_fields_become_a_structured_calendar_with_Temporals_compact_ranges()
    {
        var calendar = Single("5,9 */2 * * *");

        Assert.Equal([Range(0)], calendar.Second);
        Assert.Equal([Range(5), Range(9)], calendar.Minute);
        Assert.Equal([Range(0, 23, 2)], calendar.Hour);
        Assert.Equal([Range(1, 31)], calendar.DayOfMonth);
        Assert.Equal([Range(1, 12)], calendar.Month);
        Assert.Equal([Range(0, 6)], calendar.DayOfWeek);
        Assert.Empty(calendar.Year);
    }

    [Fact]
    public void Six_fields_add_a_year_and_seven_fields_lead_with_seconds()
    {
        var six = Single("0 12 1 6 * 2030-2032");
        var seven = Single("15 30 12 * * * 2031");

        Assert.Equal([Range(2030, 2032)], six.Year);
        Assert.Equal([Range(15)], seven.Second);
        Assert.Equal([Range(30)], seven.Minute);
        Assert.Equal([Range(2031)], seven.Year);
    }

    [Fact]
    public void Month_and_weekday_names_ranges_steps_and_lists_are_read()
    {
        var calendar = Single("0 9 2/2 jan-Mar,Sept mon-FRI,sat");

        Assert.Equal([Range(2, 31, 2)], calendar.DayOfMonth);
        Assert.Equal([Range(1, 3), Range(9)], calendar.Month);
        Assert.Equal([Range(1, 5), Range(6)], calendar.DayOfWeek);
    }

    [Theory]
    [InlineData("0 0 * * 7")]
    [InlineData("0 0 * * sun")]
    [InlineData("0 0 * * 0")]
    public void Sunday_is_zero_whether_written_7_0_or_by_name(string cron)
    {
        Assert.Equal([Range(0)], Single(cron).DayOfWeek);
    }

    [Fact]
    public void A_weekday_range_ending_on_7_keeps_Sunday_as_0()
    {
        Assert.Equal([Range(0), Range(5, 6)], Single("0 0 * * 5-7").DayOfWeek);
        Assert.Equal([Range(0, 6)], Single("0 0 * * 0-7").DayOfWeek);
        // Temporal reads "1-7" as Monday to Saturday (its Sunday folding skips ranges starting at 1); we keep that.
        Assert.Equal([Range(1, 6)], Single("0 0 * * 1-7").DayOfWeek);
        // 3, 6 and (not) 9: Sunday is not reached, so no 0 is added.
        Assert.Equal([Range(3, 6, 3)], Single("0 0 * * 3-7/3").DayOfWeek);
    }

    [Theory]
    [InlineData("@yearly", "0 0 1 1 *")]
    [InlineData("@annually", "0 0 1 1 *")]
    [InlineData("@monthly", "0 0 1 * *")]
    [InlineData("@weekly", "0 0 * * 0")]
    [InlineData("@daily", "0 0 * * *")]
    [InlineData("@midnight", "0 0 * * *")]
    [InlineData("@hourly", "0 * * * *")]
    public void Shorthands_mean_their_five_field_forms(string shorthand, string fields)
    {
        Assert.Equal(Single(fields), Single(shorthand));
    }

    [Fact]
    public void Shorthand_fires_at_the_expected_times()
    {
        var times = Nominals(Cron("@weekly"), Utc(2024, 5, 1), 2);

        Assert.Equal([Utc(2024, 5, 5), Utc(2024, 5, 12)], times);
    }

    [Fact]
    public void A_comment_after_hash_is_kept_on_the_calendar()
    {
        Assert.Equal("nightly backup", Single("0 3 * * * # nightly backup").Comment);
    }

    [Theory]
    [InlineData("CRON_TZ=Europe/Berlin 0 9 * * *")]
    [InlineData("TZ=Europe/Berlin 0 9 * * *")]
    public void A_zone_prefix_becomes_the_specs_zone(string cron)
    {
        var canonical = CompiledSpec.Canonicalize(Cron(cron));

        Assert.Equal("Europe/Berlin", canonical.TimezoneName);
        Assert.Equal([Utc(2024, 1, 15, 8)], Nominals(Cron(cron), Utc(2024, 1, 15), 1));
    }

    [Fact]
    public void A_zone_prefix_equal_to_the_specs_zone_is_accepted()
    {
        var canonical = CompiledSpec.Canonicalize(Cron("CRON_TZ=Europe/London 0 9 * * *", "Europe/London"));

        Assert.Equal("Europe/London", canonical.TimezoneName);
    }

    [Fact]
    public void A_string_without_prefix_leaves_the_specs_zone_alone()
    {
        Assert.Equal("Asia/Tokyo", CompiledSpec.Canonicalize(Cron("0 9 * * *", "Asia/Tokyo")).TimezoneName);
    }

    [Fact]
    public void Conflicting_zones_are_refused()
    {
        const string Message = "Invalid schedule spec: conflicting timezone names";

        Assert.Equal(Message, Refusal(Cron("CRON_TZ=America/New_York 0 9 * * *", "Europe/London")));
        Assert.Equal(Message, Refusal(new ScheduleSpec
        {
            CronString = { "CRON_TZ=Europe/London 0 9 * * *", "CRON_TZ=America/New_York 0 9 * * *" },
        }));
        // A string without prefix disagrees with one that has it.
        Assert.Equal(Message, Refusal(new ScheduleSpec { CronString = { "0 9 * * *", "CRON_TZ=Europe/London 0 9 * * *" } }));
        // "@every" has no zone in Temporal (its prefix is dropped), so it disagrees with a zoned string as well.
        Assert.Equal(Message, Refusal(new ScheduleSpec { CronString = { "CRON_TZ=Europe/London 0 9 * * *", "@every 1h" } }));
    }

    [Fact]
    public void Every_becomes_an_interval_with_optional_phase_and_days()
    {
        var canonical = CompiledSpec.Canonicalize(new ScheduleSpec
        {
            CronString = { "@every 5h/45m", "@every 2d", "@every 1h30m" },
        });

        Assert.Empty(canonical.StructuredCalendar);
        Assert.Equal(
            [(TimeSpan.FromHours(5), TimeSpan.FromMinutes(45)), (TimeSpan.FromDays(2), TimeSpan.Zero), (TimeSpan.FromMinutes(90), TimeSpan.Zero)],
            canonical.Interval.Select(i => (i.Interval.ToTimeSpan(), i.Phase?.ToTimeSpan() ?? TimeSpan.Zero)));
    }

    [Theory]
    [InlineData("@every 1.5d", 36 * 60, 0)]
    [InlineData("@every 1h30m/90s", 90, 1.5)]
    [InlineData("@every +2h/.5h", 120, 30)]
    [InlineData("@every 90000ms", 1.5, 0)]
    public void Every_reads_Go_durations_with_days(string cron, double intervalMinutes, double phaseMinutes)
    {
        var interval = Assert.Single(CompiledSpec.Canonicalize(Cron(cron)).Interval);

        Assert.Equal(TimeSpan.FromMinutes(intervalMinutes), interval.Interval.ToTimeSpan());
        Assert.Equal(TimeSpan.FromMinutes(phaseMinutes), interval.Phase?.ToTimeSpan() ?? TimeSpan.Zero);
    }

    [Fact]
    public void Every_fires_on_epoch_aligned_times()
    {
        Assert.Equal(
            [Utc(2024, 1, 1, 0, 15), Utc(2024, 1, 1, 1, 15)],
            Nominals(Cron("@every 1h/15m"), Utc(2024, 1, 1), 2));
    }

    [Theory]
    [InlineData("0 0 * *", "Invalid schedule spec: CronString does not have 5-7 fields")]
    [InlineData("0 0 * * * * * *", "Invalid schedule spec: CronString does not have 5-7 fields")]
    [InlineData("@reboot", "Invalid schedule spec: CronString does not have 5-7 fields")]
    [InlineData("CRON_TZ=Europe/London", "Invalid schedule spec: CronString has time zone but missing fields")]
    [InlineData("@every", "Invalid schedule spec: CronString does not have interval after @every")]
    [InlineData("@every 5x", "Invalid schedule spec: time: unknown unit \"x\" in duration \"5x\"")]
    [InlineData("@every 5", "Invalid schedule spec: time: missing unit in duration \"5\"")]
    [InlineData("@every h", "Invalid schedule spec: time: invalid duration \"h\"")]
    [InlineData("@every 0s", "Invalid schedule spec: interval is too small")]
    [InlineData("@every 500ms", "Invalid schedule spec: interval is too small")]
    [InlineData("@every -1h", "Invalid schedule spec: interval is too small")]
    [InlineData("@every 1h/1h", "Invalid schedule spec: phase cannot be greater than Interval")]
    [InlineData("60 * * * *", "Invalid schedule spec: Minute is not in range [0-59]")]
    [InlineData("0 0 * * 1 1999", "Invalid schedule spec: Year is not in range [2000-2100]")]
    [InlineData("0 0 * 13 8", "Invalid schedule spec: DayOfWeek is not in range [0-7], Month is not in range [1-12]")]
    [InlineData("5-1 * * * *", "Invalid schedule spec: Minute End is before Start or not in range [0-59]")]
    [InlineData("x-5 * * * *", "Invalid schedule spec: Minute Start is not in range [0-59]")]
    [InlineData("1-5-7 * * * *", "Invalid schedule spec: Minute has too many dashes")]
    [InlineData("1/2/3 * * * *", "Invalid schedule spec: Minute has too many slashes")]
    [InlineData("1/ * * * *", "Invalid schedule spec: Minute missing step value")]
    [InlineData("*/0 * * * *", "Invalid schedule spec: Minute has invalid Step")]
    [InlineData("*/x * * * *", "Invalid schedule spec: strconv.Atoi: parsing \"x\": invalid syntax")]
    [InlineData("0 0 ? * *", "Invalid schedule spec: DayOfMonth is not in range [1-31]")]
    public void Bad_cron_strings_get_Temporals_message(string cron, string message)
    {
        Assert.Equal(message, Refusal(Cron(cron)));
    }
}
