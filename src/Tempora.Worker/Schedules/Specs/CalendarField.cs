namespace Tempora.Worker.Schedules.Specs;

/// <summary>How one calendar field reads: its name in messages, its bounds, its default text, and which names it
/// accepts besides numbers.</summary>
internal sealed record CalendarField(string Name, int Min, int Max, string DefaultText, CalendarFieldNames Names)
{
    public static readonly CalendarField Second = new("Second", 0, 59, "0", CalendarFieldNames.None);
    public static readonly CalendarField Minute = new("Minute", 0, 59, "0", CalendarFieldNames.None);
    public static readonly CalendarField Hour = new("Hour", 0, 23, "0", CalendarFieldNames.None);

    // 7 is accepted as a second Sunday and folded into 0 when parsed.
    public static readonly CalendarField DayOfWeek = new("DayOfWeek", 0, 7, "*", CalendarFieldNames.Weekdays);
    public static readonly CalendarField DayOfMonth = new("DayOfMonth", 1, 31, "*", CalendarFieldNames.None);
    public static readonly CalendarField Month = new("Month", 1, 12, "*", CalendarFieldNames.Months);

    // "*" for years is stored as no ranges at all, which means every year.
    public static readonly CalendarField Year =
        new("Year", CalendarLimits.MinYear, CalendarLimits.MaxYear, "*", CalendarFieldNames.None);
}

/// <summary>Names a field accepts: month names by a prefix of three letters or more, weekday names by two or more.</summary>
internal enum CalendarFieldNames
{
    None,
    Months,
    Weekdays,
}

/// <summary>Temporal's fixed limits for calendars.</summary>
internal static class CalendarLimits
{
    public const int MinYear = 2000;

    // Temporal stops looking for calendar times after this year.
    public const int MaxYear = 2100;

    public const int MaxCommentBytes = 200;
}
