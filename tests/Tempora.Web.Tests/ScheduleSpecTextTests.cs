using Google.Protobuf.WellKnownTypes;
using Tempora.Web.Rendering;
using Temporalio.Api.Schedule.V1;
using ApiRange = Temporalio.Api.Schedule.V1.Range;

namespace Tempora.Web.Tests;

/// <summary>The schedule spec in words, as the schedule list and page show it.</summary>
public sealed class ScheduleSpecTextTests
{
    [Fact]
    public void Calendar_DailyAtOneTime_NamesTimeAndZone()
    {
        var calendar = Daily(hour: [At(9)], minute: [At(30)]);

        Assert.Equal("every day at 09:30 (Europe/Berlin)", ScheduleSpecText.Calendar(calendar, "Europe/Berlin"));
    }

    [Fact]
    public void Calendar_Weekdays_ReadAsMondayToFriday()
    {
        var calendar = Daily(hour: [At(9)], minute: [At(0)]);
        calendar.DayOfWeek.Clear();
        calendar.DayOfWeek.Add(new ApiRange { Start = 1, End = 5 });

        Assert.Equal("every Monday to Friday at 09:00 (UTC)", ScheduleSpecText.Calendar(calendar, "UTC"));
    }

    [Fact]
    public void Calendar_SeveralHours_ListsEachClockTime()
    {
        var calendar = Daily(hour: [At(9), At(17)], minute: [At(0), At(30)]);

        Assert.Equal("every day at 09:00, 09:30, 17:00 and 17:30 (UTC)", ScheduleSpecText.Calendar(calendar, "UTC"));
    }

    [Fact]
    public void Calendar_SteppedMinutes_ReadsAsEveryNMinutes()
    {
        var calendar = Daily(hour: [new ApiRange { Start = 0, End = 23 }], minute: [new ApiRange { Start = 0, End = 59, Step = 15 }]);

        Assert.Equal("every 15 minutes (UTC)", ScheduleSpecText.Calendar(calendar, "UTC"));
    }

    [Fact]
    public void Calendar_SteppedMinutesWithinWorkingHours_NamesTheSpan()
    {
        var calendar = Daily(hour: [new ApiRange { Start = 9, End = 17 }], minute: [new ApiRange { Start = 0, End = 59, Step = 15 }]);
        calendar.DayOfWeek.Clear();
        calendar.DayOfWeek.Add(new ApiRange { Start = 1, End = 5 });

        Assert.Equal("every 15 minutes from 09:00 to 17:45 on Monday to Friday (UTC)", ScheduleSpecText.Calendar(calendar, "UTC"));
    }

    [Fact]
    public void Calendar_EveryMinuteInSeparateHours_ListsTheHours()
    {
        var calendar = Daily(hour: [At(9), At(12), At(15)], minute: [new ApiRange { Start = 0, End = 59 }]);

        Assert.Equal("every minute in hours 09, 12 and 15 (UTC)", ScheduleSpecText.Calendar(calendar, "UTC"));
    }

    [Fact]
    public void Calendar_StepThatDoesNotDivideTheHour_IsNotCalledARepetition()
    {
        var calendar = Daily(hour: [new ApiRange { Start = 0, End = 23 }], minute: [new ApiRange { Start = 0, End = 59, Step = 7 }]);

        Assert.DoesNotContain("every 7 minutes", ScheduleSpecText.Calendar(calendar, "UTC"), StringComparison.Ordinal);
    }

    [Fact]
    public void Calendar_FirstOfMonthInJanuary_NamesDayMonthAndYear()
    {
        var calendar = Daily(hour: [At(0)], minute: [At(0)]);
        calendar.DayOfMonth.Clear();
        calendar.DayOfMonth.Add(At(1));
        calendar.Month.Clear();
        calendar.Month.Add(At(1));
        calendar.Year.Add(At(2027));

        Assert.Equal("on day 1 of January at 00:00 in 2027 (UTC)", ScheduleSpecText.Calendar(calendar, "UTC"));
    }

    [Fact]
    public void Calendar_DayOfMonthAndWeekday_SaysBothMustMatch()
    {
        var calendar = Daily(hour: [At(12)], minute: [At(0)]);
        calendar.DayOfMonth.Clear();
        calendar.DayOfMonth.Add(new ApiRange { Start = 1, End = 7 });
        calendar.DayOfWeek.Clear();
        calendar.DayOfWeek.Add(At(1));

        Assert.Equal("on days 1 to 7 of every month, if a Monday at 12:00 (UTC)", ScheduleSpecText.Calendar(calendar, "UTC"));
    }

    [Fact]
    public void Calendar_HourlyAtMinute_OnWeekends()
    {
        var calendar = Daily(hour: [new ApiRange { Start = 0, End = 23 }], minute: [At(30)]);
        calendar.DayOfWeek.Clear();
        calendar.DayOfWeek.Add(At(0));
        calendar.DayOfWeek.Add(At(6));

        Assert.Equal("every hour at minute 30 on Saturday and Sunday (UTC)", ScheduleSpecText.Calendar(calendar, "UTC"));
    }

    [Fact]
    public void Calendar_Comment_FollowsTheWords()
    {
        var calendar = Daily(hour: [At(6)], minute: [At(0)]);
        calendar.Comment = "morning report";

        Assert.Equal("every day at 06:00 (UTC): morning report", ScheduleSpecText.Calendar(calendar, "UTC"));
    }

    [Fact]
    public void Calendar_EmptyHourField_SaysItNeverMatches()
    {
        var calendar = Daily(hour: [], minute: [At(0)]);

        Assert.StartsWith("never", ScheduleSpecText.Calendar(calendar, "UTC"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(300, 0, "every 5 minutes")]
    [InlineData(3600, 0, "every hour")]
    [InlineData(5400, 0, "every 1 hour 30 minutes")]
    [InlineData(3600, 900, "every hour, offset by 15 minutes")]
    [InlineData(172800, 0, "every 2 days")]
    [InlineData(1, 0, "every second")]
    public void Interval_InWords(int seconds, int phaseSeconds, string expected)
    {
        var interval = new IntervalSpec { Interval = Duration.FromTimeSpan(TimeSpan.FromSeconds(seconds)) };
        if (phaseSeconds > 0)
        {
            interval.Phase = Duration.FromTimeSpan(TimeSpan.FromSeconds(phaseSeconds));
        }

        Assert.Equal(expected, ScheduleSpecText.Interval(interval));
    }

    [Fact]
    public void Summary_CalendarsIntervalsAndCron_JoinedInOrder()
    {
        var spec = new ScheduleSpec
        {
            TimezoneName = "America/New_York",
            StructuredCalendar = { Daily(hour: [At(8)], minute: [At(0)]) },
            Interval = { new IntervalSpec { Interval = Duration.FromTimeSpan(TimeSpan.FromMinutes(10)) } },
            CronString = { "0 12 * * *" },
        };

        Assert.Equal("every day at 08:00 (America/New_York); cron \"0 12 * * *\"; every 10 minutes", ScheduleSpecText.Summary(spec));
    }

    [Fact]
    public void Summary_NothingScheduled_SaysSo()
    {
        Assert.Equal("no scheduled times", ScheduleSpecText.Summary(new ScheduleSpec()));
    }

    [Fact]
    public void Exclusions_WholeDays_ReadAsTheDaysAlone()
    {
        var weekend = Daily(hour: [new ApiRange { Start = 0, End = 23 }], minute: [new ApiRange { Start = 0, End = 59 }]);
        weekend.Second.Clear();
        weekend.Second.Add(new ApiRange { Start = 0, End = 59 });
        weekend.DayOfWeek.Clear();
        weekend.DayOfWeek.Add(At(6));
        weekend.DayOfWeek.Add(At(0));
        var spec = new ScheduleSpec { ExcludeStructuredCalendar = { weekend } };

        Assert.Equal(["every Saturday and Sunday (UTC)"], ScheduleSpecText.Exclusions(spec));
    }

    [Theory]
    [InlineData(30, "30 seconds")]
    [InlineData(90, "1 minute 30 seconds")]
    [InlineData(0, "0 seconds")]
    public void Amount_InWords(int seconds, string expected)
    {
        Assert.Equal(expected, ScheduleSpecText.Amount(TimeSpan.FromSeconds(seconds)));
    }

    private static ApiRange At(int value) => new() { Start = value };

    /// <summary>A calendar as the server describes one: second 0, the given hours and minutes, every day.</summary>
    private static StructuredCalendarSpec Daily(ApiRange[] hour, ApiRange[] minute) => new()
    {
        Second = { At(0) },
        Minute = { minute },
        Hour = { hour },
        DayOfMonth = { new ApiRange { Start = 1, End = 31 } },
        Month = { new ApiRange { Start = 1, End = 12 } },
        DayOfWeek = { new ApiRange { Start = 0, End = 6 } },
    };
}
