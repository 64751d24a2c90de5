using System.Text;
using Temporalio.Api.Schedule.V1;
using CalendarRange = Temporalio.Api.Schedule.V1.Range;

namespace Tempora.Worker.Schedules.Specs;

/// <summary>The checks Temporal makes on a canonical spec's calendars and intervals, with its texts.</summary>
internal static class SpecValidation
{
    private const long NanosPerSecond = 1_000_000_000;

    /// <summary>Throws <see cref="SpecDetailException"/> "invalid calendar spec: …" listing every bad range.</summary>
    public static void CheckCalendar(StructuredCalendarSpec calendar)
    {
        var errors = new List<string>();
        CheckRanges(calendar.Second, CalendarField.Second, errors);
        CheckRanges(calendar.Minute, CalendarField.Minute, errors);
        CheckRanges(calendar.Hour, CalendarField.Hour, errors);
        CheckRanges(calendar.DayOfMonth, CalendarField.DayOfMonth, errors);
        CheckRanges(calendar.Month, CalendarField.Month, errors);
        CheckRanges(calendar.Year, CalendarField.Year, errors);
        // A structured calendar takes Sunday only as 0 (7 is a cron-text convenience).
        CheckRanges(calendar.DayOfWeek, CalendarField.DayOfWeek with { Max = 6 }, errors);
        if (Encoding.UTF8.GetByteCount(calendar.Comment) > CalendarLimits.MaxCommentBytes)
        {
            errors.Add("comment is too long");
        }
        if (errors.Count > 0)
        {
            throw new SpecDetailException("invalid calendar spec: " + string.Join(", ", errors));
        }
    }

    /// <summary>Throws <see cref="SpecDetailException"/> for an interval under a second or a phase outside it.</summary>
    public static void CheckInterval(IntervalSpec interval)
    {
        var every = ProtoTime.Nanos(interval.Interval);
        var phase = ProtoTime.Nanos(interval.Phase);
        if (every < NanosPerSecond)
        {
            throw new SpecDetailException("interval is too small");
        }
        if (phase < 0)
        {
            throw new SpecDetailException("phase is negative");
        }
        if (phase >= every)
        {
            throw new SpecDetailException("phase cannot be greater than Interval");
        }
    }

    private static void CheckRanges(IEnumerable<CalendarRange> ranges, CalendarField field, List<string> errors)
    {
        foreach (var range in ranges)
        {
            if (range.Start < field.Min || range.Start > field.Max)
            {
                errors.Add($"{field.Name} Start is not in range [{field.Min}-{field.Max}]");
            }
            // End 0 means "same as Start".
            if (range.End != 0 && (range.End < range.Start || range.End > field.Max))
            {
                errors.Add($"{field.Name} End is before Start or not in range [{field.Min}-{field.Max}]");
            }
            if (range.Step < 0)
            {
                errors.Add($"{field.Name} has invalid Step");
            }
        }
    }
}
