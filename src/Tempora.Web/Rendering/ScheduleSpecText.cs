using System.Globalization;
using Temporalio.Api.Schedule.V1;

namespace Tempora.Web.Rendering;

/// <summary>
/// A schedule's spec in words: "every day at 09:30 (Europe/Berlin)", "every 5 minutes", "every Monday to Friday at
/// 09:00 (UTC)". Calendars follow the structured form the server describes them in (every field a list of ranges);
/// what has no short phrase falls back to the field values, so the text is always exact if not always pretty.
/// </summary>
internal static class ScheduleSpecText
{
    private static readonly string[] DayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

    private static readonly string[] MonthNames =
    [
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ];

    /// <summary>One line for the schedule list: every way the spec takes actions, joined.</summary>
    public static string Summary(ScheduleSpec? spec)
    {
        var parts = Times(spec);
        return parts.Count == 0 ? "no scheduled times" : string.Join("; ", parts);
    }

    /// <summary>Each calendar, interval and cron string of the spec in words, in that order.</summary>
    public static IReadOnlyList<string> Times(ScheduleSpec? spec)
    {
        if (spec is null)
        {
            return [];
        }
        var zone = ZoneName(spec);
        var parts = new List<string>();
        parts.AddRange(spec.StructuredCalendar.Select(c => Calendar(c, zone)));
        parts.AddRange(spec.Calendar.Select(c => Calendar(c, zone)));
        parts.AddRange(spec.CronString.Select(c => $"cron \"{c}\""));
        parts.AddRange(spec.Interval.Select(Interval));
        return parts;
    }

    /// <summary>The times the spec skips, each in words ("every Saturday and Sunday").</summary>
    public static IReadOnlyList<string> Exclusions(ScheduleSpec? spec)
    {
        if (spec is null)
        {
            return [];
        }
        var zone = ZoneName(spec);
        return
        [
            .. spec.ExcludeStructuredCalendar.Select(c => Calendar(c, zone, exclusion: true)),
            .. spec.ExcludeCalendar.Select(c => Calendar(c, zone)),
        ];
    }

    /// <summary>Calendars are read in the spec's time zone; UTC when it names none.</summary>
    public static string ZoneName(ScheduleSpec spec) => spec.TimezoneName is { Length: > 0 } name ? name : "UTC";

    public static string Calendar(StructuredCalendarSpec calendar, string zone) => Calendar(calendar, zone, exclusion: false);

    /// <summary>
    /// An exclusion usually names whole days ("every Saturday and Sunday"), so a calendar matching every second of
    /// the day reads as the days alone there; as a time to act it is "every second".
    /// </summary>
    private static string Calendar(StructuredCalendarSpec calendar, string zone, bool exclusion)
    {
        var seconds = Field.Of(calendar.Second, 0, 59);
        var minutes = Field.Of(calendar.Minute, 0, 59);
        var hours = Field.Of(calendar.Hour, 0, 23);
        var days = new DayPart(
            Field.Of(calendar.DayOfMonth, 1, 31),
            Field.Of(calendar.Month, 1, 12),
            Field.Of(calendar.DayOfWeek, 0, 6),
            calendar.Year.Count == 0 ? null : Field.Of(calendar.Year, 1, 9999));
        if (seconds.IsEmpty || minutes.IsEmpty || hours.IsEmpty || days.MatchesNothing)
        {
            return "never (a calendar field matches no value)";
        }

        string text;
        if (seconds.IsAll && minutes.IsAll && hours.IsAll)
        {
            text = exclusion ? days.Lead() : Repeating("every second", days);
        }
        else if (RepeatingTime(seconds, minutes, hours) is { } repeating)
        {
            text = Repeating(repeating, days);
        }
        else if (ClockTimes(seconds, minutes, hours) is { } clock)
        {
            text = $"{days.Lead()} at {clock}";
        }
        else
        {
            text = $"{days.Lead()} at {FieldList("hour", hours, Pad)}, {FieldList("minute", minutes, Plain)}, {FieldList("second", seconds, Plain)}";
        }
        text += days.YearSuffix() + $" ({zone})";
        return calendar.Comment is { Length: > 0 } comment ? $"{text}: {comment}" : text;
    }

    /// <summary>A calendar in the string form (cron-like fields), as a client may have sent it.</summary>
    public static string Calendar(CalendarSpec calendar, string zone)
    {
        static string Or(string value, string fallback) => value.Length > 0 ? value : fallback;
        var text = string.Create(CultureInfo.InvariantCulture,
            $"calendar second {Or(calendar.Second, "0")}, minute {Or(calendar.Minute, "0")}, hour {Or(calendar.Hour, "0")}, "
            + $"day {Or(calendar.DayOfMonth, "*")}, month {Or(calendar.Month, "*")}, weekday {Or(calendar.DayOfWeek, "*")}");
        if (calendar.Year.Length > 0)
        {
            text += $", year {calendar.Year}";
        }
        text += $" ({zone})";
        return calendar.Comment is { Length: > 0 } comment ? $"{text}: {comment}" : text;
    }

    /// <summary>"every 5 minutes", "every hour, offset by 15 minutes".</summary>
    public static string Interval(IntervalSpec interval)
    {
        var every = interval.Interval?.ToTimeSpan() ?? TimeSpan.Zero;
        var text = "every " + Every(every);
        if (interval.Phase?.ToTimeSpan() is { } phase && phase >= TimeSpan.FromSeconds(1))
        {
            text += ", offset by " + Amount(phase);
        }
        return text;
    }

    /// <summary>"30 seconds", "1 hour 30 minutes": whole seconds, as the server truncates them.</summary>
    public static string Amount(TimeSpan span)
    {
        var parts = new List<string>();
        void Add(int count, string unit)
        {
            if (count > 0)
            {
                parts.Add(count == 1 ? $"1 {unit}" : string.Create(CultureInfo.InvariantCulture, $"{count} {unit}s"));
            }
        }
        Add((int)span.TotalDays, "day");
        Add(span.Hours, "hour");
        Add(span.Minutes, "minute");
        Add(span.Seconds, "second");
        return parts.Count == 0 ? "0 seconds" : string.Join(' ', parts);
    }

    /// <summary>"minute", "5 minutes", "1 hour 30 minutes": one whole unit reads without its count.</summary>
    private static string Every(TimeSpan span)
    {
        var amount = Amount(span);
        return amount.StartsWith("1 ", StringComparison.Ordinal) && amount.IndexOf(' ', 2) < 0 ? amount[2..] : amount;
    }

    private static string Repeating(string time, DayPart days) => days.Qualifier() is { Length: > 0 } qualifier ? $"{time} {qualifier}" : time;

    /// <summary>Times that read as a repetition within the day: "every minute", "every 15 minutes", "every hour at minute 30".</summary>
    private static string? RepeatingTime(Field seconds, Field minutes, Field hours)
    {
        if (!seconds.IsSingle)
        {
            return null;
        }
        if (!hours.IsAll)
        {
            if (minutes.IsSingle && hours.StepFromStart() is { } hourStep)
            {
                return $"every {hourStep} hours at minute {minutes.Values[0]}{SecondSuffix(seconds)}";
            }
            return (minutes.IsAll ? "every minute" : minutes.StepFromStart() is { } step ? $"every {step} minutes" : null) is { } every
                ? $"{every} {WithinHours(hours, minutes.Values[^1])}{SecondSuffix(seconds)}"
                : null;
        }
        if (minutes.IsAll)
        {
            return seconds.Values[0] == 0 ? "every minute" : $"every minute at second {seconds.Values[0]}";
        }
        if (minutes.StepFromStart() is { } minuteStep)
        {
            return $"every {minuteStep} minutes{SecondSuffix(seconds)}";
        }
        if (minutes.Values.Count <= 4)
        {
            var label = minutes.Values.Count == 1 ? "minute" : "minutes";
            return $"every hour at {label} {JoinWords(minutes.Values.Select(Plain).ToList())}{SecondSuffix(seconds)}";
        }
        return null;
    }

    /// <summary>"from 09:00 to 17:45" for one span of hours, else "in hours 09, 12 and 15".</summary>
    private static string WithinHours(Field hours, int lastMinute)
    {
        var (first, last) = (hours.Values[0], hours.Values[^1]);
        return last - first + 1 == hours.Values.Count
            ? $"from {Pad(first)}:00 to {Pad(last)}:{Pad(lastMinute)}"
            : $"in hours {Runs(hours.Values, Pad)}";
    }

    private static string SecondSuffix(Field seconds) => seconds.Values[0] == 0 ? "" : $", second {seconds.Values[0]}";

    /// <summary>A few wall-clock times, "09:00 and 17:30": at most eight of them, at one second each.</summary>
    private static string? ClockTimes(Field seconds, Field minutes, Field hours)
    {
        if (!seconds.IsSingle || hours.Values.Count * minutes.Values.Count > 8)
        {
            return null;
        }
        var second = seconds.Values[0];
        var times = (from h in hours.Values
                     from m in minutes.Values
                     select second == 0 ? $"{Pad(h)}:{Pad(m)}" : $"{Pad(h)}:{Pad(m)}:{Pad(second)}").ToList();
        return JoinWords(times);
    }

    private static string FieldList(string name, Field field, Func<int, string> format) =>
        field.IsAll ? $"every {name}" : $"{name}{(field.Values.Count == 1 ? "" : "s")} {Runs(field.Values, format)}";

    private static string Pad(int value) => value.ToString("00", CultureInfo.InvariantCulture);

    private static string Plain(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Sorted values as runs: "1 to 5, 8 and 10". Runs of three or more are written as a span.</summary>
    private static string Runs(IReadOnlyList<int> values, Func<int, string> format)
    {
        var parts = new List<string>();
        for (var i = 0; i < values.Count;)
        {
            var j = i;
            while (j + 1 < values.Count && values[j + 1] == values[j] + 1)
            {
                j++;
            }
            if (j - i >= 2)
            {
                parts.Add($"{format(values[i])} to {format(values[j])}");
            }
            else
            {
                for (var k = i; k <= j; k++)
                {
                    parts.Add(format(values[k]));
                }
            }
            i = j + 1;
        }
        return JoinWords(parts);
    }

    private static string JoinWords(IReadOnlyList<string> parts) => parts.Count switch
    {
        0 => "",
        1 => parts[0],
        _ => string.Join(", ", parts.Take(parts.Count - 1)) + " and " + parts[^1],
    };

    /// <summary>The date side of a calendar: days of the month, months, weekdays (all must match) and years.</summary>
    private sealed record DayPart(Field DaysOfMonth, Field Months, Field Weekdays, Field? Years)
    {
        public bool MatchesNothing => DaysOfMonth.IsEmpty || Months.IsEmpty || Weekdays.IsEmpty || Years is { IsEmpty: true };

        /// <summary>Opens a clock-time phrase: "every day", "every Monday to Friday", "on day 1 of every month".</summary>
        public string Lead()
        {
            if (!DaysOfMonth.IsAll)
            {
                return MonthDays();
            }
            var lead = Weekdays.IsAll ? "every day" : $"every {WeekdayText()}";
            return Months.IsAll ? lead : $"{lead} in {MonthText()}";
        }

        /// <summary>Follows a repetition: "" for every day, "on Monday to Friday", "on day 1 of every month".</summary>
        public string Qualifier()
        {
            if (!DaysOfMonth.IsAll)
            {
                return MonthDays();
            }
            var qualifier = Weekdays.IsAll ? "" : $"on {WeekdayText()}";
            return Months.IsAll ? qualifier : $"{qualifier} in {MonthText()}".TrimStart();
        }

        public string YearSuffix() => Years is null ? "" : $" in {Runs(Years.Values, Plain)}";

        private string MonthDays()
        {
            var days = $"on day{(DaysOfMonth.Values.Count == 1 ? "" : "s")} {Runs(DaysOfMonth.Values, Plain)} of {(Months.IsAll ? "every month" : MonthText())}";
            // Unlike cron, a calendar needs both the day of the month and the weekday to match.
            return Weekdays.IsAll ? days : $"{days}, if a {WeekdayText()}";
        }

        /// <summary>Weekdays from Monday, so that Saturday and Sunday stay together.</summary>
        private string WeekdayText()
        {
            var mondayFirst = Weekdays.Values.Select(d => d == 0 ? 7 : d).Order().ToList();
            return Runs(mondayFirst, d => DayNames[d % 7]);
        }

        private string MonthText() => Runs(Months.Values, m => MonthNames[m - 1]);
    }

    /// <summary>One calendar field as the sorted set of values its ranges match within the field's bounds.</summary>
    private sealed class Field
    {
        private readonly int _min;
        private readonly int _max;
        private readonly IReadOnlyList<Temporalio.Api.Schedule.V1.Range> _ranges;

        private Field(IReadOnlyList<Temporalio.Api.Schedule.V1.Range> ranges, int min, int max, IReadOnlyList<int> values)
        {
            _ranges = ranges;
            _min = min;
            _max = max;
            Values = values;
        }

        public IReadOnlyList<int> Values { get; }

        public bool IsEmpty => Values.Count == 0;

        public bool IsSingle => Values.Count == 1;

        public bool IsAll => Values.Count == _max - _min + 1;

        public static Field Of(IReadOnlyList<Temporalio.Api.Schedule.V1.Range> ranges, int min, int max)
        {
            var values = new SortedSet<int>();
            foreach (var range in ranges)
            {
                // An end before the start means the start alone; a step of zero means one.
                var end = Math.Min(range.End < range.Start ? range.Start : range.End, max);
                var step = Math.Max(range.Step, 1);
                for (var v = range.Start; v <= end; v += step)
                {
                    if (v >= min)
                    {
                        values.Add(v);
                    }
                }
            }
            return new Field(ranges, min, max, values.ToList());
        }

        /// <summary>
        /// The step of a field written as one stepped range over the whole field ("*/15") whose step divides the
        /// field evenly, so the repetition carries on across the hour or day; else null.
        /// </summary>
        public int? StepFromStart() =>
            _ranges is [var only] && only.Step > 1 && only.Start == _min && only.End + only.Step > _max
            && (_max - _min + 1) % only.Step == 0
                ? only.Step
                : null;
    }
}
