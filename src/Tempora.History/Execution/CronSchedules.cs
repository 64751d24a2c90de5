using System.Globalization;
using System.Text.RegularExpressions;
using Cronos;
using Tempora.Core.Errors;

namespace Tempora.History.Execution;

/// <summary>Cron schedules on workflow starts: standard five-field cron (UTC) plus "@every &lt;duration&gt;".</summary>
internal static partial class CronSchedules
{
    /// <summary>Throws InvalidArgument when the schedule cannot be parsed.</summary>
    public static void Validate(string schedule) => Parse(schedule);

    /// <summary>Time from <paramref name="now"/> to the next fire, or null when none is left before the expiration.</summary>
    public static TimeSpan? NextBackoff(string schedule, DateTimeOffset now, DateTimeOffset? expiration)
    {
        var next = Parse(schedule)(now);
        if (next is null || (expiration is { } e && next > e))
        {
            return null;
        }
        return next.Value - now;
    }

    private static Func<DateTimeOffset, DateTimeOffset?> Parse(string schedule)
    {
        var s = schedule.Trim();
        if (s.StartsWith("@every ", StringComparison.Ordinal))
        {
            var every = ParseGoDuration(s["@every ".Length..].Trim());
            // A constant delay from the moment the next run is scheduled, as robfig/cron's @every (used upstream) does.
            return now => now + every;
        }
        try
        {
            var expression = CronExpression.Parse(s, CronFormat.Standard);
            return now => expression.GetNextOccurrence(now, TimeZoneInfo.Utc);
        }
        catch (CronFormatException e)
        {
            throw new InvalidArgumentException($"Invalid cron schedule '{schedule}': {e.Message}");
        }
    }

    private static TimeSpan ParseGoDuration(string text)
    {
        var total = TimeSpan.Zero;
        var matches = GoDurationPart().Matches(text);
        if (matches.Count == 0 || string.Concat(matches.Select(m => m.Value)) != text)
        {
            throw new InvalidArgumentException($"Invalid cron schedule duration '{text}'.");
        }
        foreach (Match m in matches)
        {
            var value = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            total += m.Groups[2].Value switch
            {
                "ms" => TimeSpan.FromMilliseconds(value),
                "s" => TimeSpan.FromSeconds(value),
                "m" => TimeSpan.FromMinutes(value),
                "h" => TimeSpan.FromHours(value),
                _ => TimeSpan.FromDays(value),
            };
        }
        if (total <= TimeSpan.Zero)
        {
            throw new InvalidArgumentException($"Invalid cron schedule duration '{text}'.");
        }
        return total;
    }

    [GeneratedRegex(@"(\d+(?:\.\d+)?)(ms|s|m|h|d)")]
    private static partial Regex GoDurationPart();
}
