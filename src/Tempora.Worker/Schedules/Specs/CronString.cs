using Temporalio.Api.Schedule.V1;

namespace Tempora.Worker.Schedules.Specs;

/// <summary>
/// What one cron string stands for: a calendar, or an interval for "@every". <paramref name="TimeZoneName"/> is the
/// CRON_TZ=/TZ= prefix's zone ("" when absent; always "" for "@every", whose prefix Temporal drops).
/// </summary>
internal sealed record CronString(StructuredCalendarSpec? Calendar, IntervalSpec? Interval, string TimeZoneName)
{
    private static readonly Dictionary<string, string> Shorthands = new(StringComparer.Ordinal)
    {
        ["@yearly"] = "0 0 1 1 *",
        ["@annually"] = "0 0 1 1 *",
        ["@monthly"] = "0 0 1 * *",
        ["@weekly"] = "0 0 * * 0",
        ["@daily"] = "0 0 * * *",
        ["@midnight"] = "0 0 * * *",
        ["@hourly"] = "0 * * * *",
    };

    /// <summary>
    /// Reads "[CRON_TZ=zone |TZ=zone ]fields[ # comment]" where fields are 5 (minute hour day-of-month month
    /// day-of-week), 6 (… year) or 7 (second … year), a shorthand such as "@daily", or "@every 90m[/15m]".
    /// Throws <see cref="SpecDetailException"/> with Temporal's text.
    /// </summary>
    public static CronString Parse(string text)
    {
        var rest = text.Trim();
        var zone = "";
        if (rest.StartsWith("TZ=", StringComparison.Ordinal) || rest.StartsWith("CRON_TZ=", StringComparison.Ordinal))
        {
            var space = rest.IndexOf(' ', StringComparison.Ordinal);
            if (space < 0)
            {
                throw new SpecDetailException("CronString has time zone but missing fields");
            }
            var prefix = rest[..space];
            zone = prefix[(prefix.IndexOf('=', StringComparison.Ordinal) + 1)..];
            rest = rest[(space + 1)..];
        }

        var comment = "";
        var hash = rest.IndexOf('#', StringComparison.Ordinal);
        if (hash >= 0)
        {
            comment = rest[(hash + 1)..].Trim();
            rest = rest[..hash];
        }
        rest = rest.Trim();

        if (rest.StartsWith("@every", StringComparison.Ordinal))
        {
            return new CronString(null, ParseEvery(rest), "");
        }
        rest = Shorthands.GetValueOrDefault(rest, rest);

        var fields = rest.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var calendar = new CalendarSpec { Comment = comment };
        switch (fields.Length)
        {
            case 5:
                (calendar.Minute, calendar.Hour, calendar.DayOfMonth, calendar.Month, calendar.DayOfWeek) =
                    (fields[0], fields[1], fields[2], fields[3], fields[4]);
                break;
            case 6:
                (calendar.Minute, calendar.Hour, calendar.DayOfMonth, calendar.Month, calendar.DayOfWeek, calendar.Year) =
                    (fields[0], fields[1], fields[2], fields[3], fields[4], fields[5]);
                break;
            case 7:
                (calendar.Second, calendar.Minute, calendar.Hour, calendar.DayOfMonth, calendar.Month,
                    calendar.DayOfWeek, calendar.Year) =
                    (fields[0], fields[1], fields[2], fields[3], fields[4], fields[5], fields[6]);
                break;
            default:
                throw new SpecDetailException("CronString does not have 5-7 fields");
        }
        return new CronString(CalendarText.ToStructured(calendar), null, zone);
    }

    private static IntervalSpec ParseEvery(string text)
    {
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        if (space < 0)
        {
            throw new SpecDetailException("CronString does not have interval after @every");
        }
        var durations = text[(space + 1)..];
        var slash = durations.IndexOf('/', StringComparison.Ordinal);
        var intervalText = slash < 0 ? durations : durations[..slash];
        var phaseText = slash < 0 ? "" : durations[(slash + 1)..];
        var interval = new IntervalSpec { Interval = ProtoTime.FromNanos(CronDuration.ParseNanos(intervalText)) };
        if (phaseText.Length > 0)
        {
            interval.Phase = ProtoTime.FromNanos(CronDuration.ParseNanos(phaseText));
        }
        return interval;
    }
}
