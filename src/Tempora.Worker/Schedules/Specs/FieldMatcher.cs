using Temporalio.Api.Schedule.V1;
using CalendarRange = Temporalio.Api.Schedule.V1.Range;

namespace Tempora.Worker.Schedules.Specs;

/// <summary>
/// Whether a calendar field's value is one of its ranges' values. A range with End below Start is just Start and
/// step 0 is step 1, as Temporal reads them. Year is special: no ranges at all means every year.
/// </summary>
internal sealed class FieldMatcher
{
    private readonly IReadOnlyList<CalendarRange> _ranges;
    private readonly bool _everyValue;

    private FieldMatcher(IReadOnlyList<CalendarRange> ranges, bool everyValue)
    {
        _ranges = ranges;
        _everyValue = everyValue;
    }

    /// <summary>Seconds, minutes, hours, days, months, weekdays: no ranges means no value matches.</summary>
    public static FieldMatcher Of(IEnumerable<CalendarRange> ranges) => new([.. ranges], false);

    public static FieldMatcher OfYears(IEnumerable<CalendarRange> ranges)
    {
        var list = ranges.ToList();
        return new FieldMatcher(list, list.Count == 0);
    }

    public bool Matches(int value)
    {
        if (_everyValue)
        {
            return true;
        }
        foreach (var range in _ranges)
        {
            var end = Math.Max(range.End, range.Start);
            // Exclusion calendars are not validated (as in Temporal); a negative step reads as 1 instead of hanging.
            var step = range.Step < 1 ? 1 : range.Step;
            if (value >= range.Start && value <= end && (value - range.Start) % step == 0)
            {
                return true;
            }
        }
        return false;
    }
}
