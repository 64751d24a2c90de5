using Temporalio.Api.Schedule.V1;
using CalendarRange = Temporalio.Api.Schedule.V1.Range;

namespace Tempora.Worker.Schedules.Specs;

/// <summary>Turns a <see cref="CalendarSpec"/> (fields as text) into the <see cref="StructuredCalendarSpec"/> it
/// stands for. Empty fields take Temporal's defaults: second, minute and hour 0; every day, month and year.</summary>
internal static class CalendarText
{
    /// <summary>Throws <see cref="SpecDetailException"/> listing every bad field, as Temporal joins them.</summary>
    public static StructuredCalendarSpec ToStructured(CalendarSpec calendar)
    {
        var errors = new List<string>();
        var structured = new StructuredCalendarSpec { Comment = calendar.Comment };
        // Temporal reports the fields in this order.
        structured.Second.AddRange(ParseField(calendar.Second, CalendarField.Second, errors));
        structured.Minute.AddRange(ParseField(calendar.Minute, CalendarField.Minute, errors));
        structured.Hour.AddRange(ParseField(calendar.Hour, CalendarField.Hour, errors));
        structured.DayOfWeek.AddRange(ParseField(calendar.DayOfWeek, CalendarField.DayOfWeek, errors));
        structured.DayOfMonth.AddRange(ParseField(calendar.DayOfMonth, CalendarField.DayOfMonth, errors));
        structured.Month.AddRange(ParseField(calendar.Month, CalendarField.Month, errors));
        structured.Year.AddRange(ParseField(calendar.Year, CalendarField.Year, errors));
        if (errors.Count > 0)
        {
            throw new SpecDetailException(string.Join(", ", errors));
        }
        return structured;
    }

    private static List<CalendarRange> ParseField(string text, CalendarField field, List<string> errors)
    {
        try
        {
            return CalendarRangeText.Parse(text, field);
        }
        catch (SpecDetailException e)
        {
            errors.Add(e.Message);
            return [];
        }
    }
}
