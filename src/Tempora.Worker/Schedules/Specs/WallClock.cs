using NodaTime;

namespace Tempora.Worker.Schedules.Specs;

/// <summary>Wall-clock fields of an instant in a zone; <see cref="Weekday"/> counts from Sunday = 0.</summary>
internal readonly record struct WallTime(int Year, int Month, int Day, int Hour, int Minute, int Second, int Weekday);

/// <summary>
/// Local time in one zone with the semantics of Go's time.Date, which Temporal's calendar walk relies on: fields out
/// of range roll over (hour 24 is the next day's midnight); a wall time skipped by a spring-forward gap resolves to
/// an instant whose hour differs from the one asked for; a repeated wall time resolves to the copy Go picks (the
/// offset found by looking the wall time up as if it were UTC, corrected once if that offset does not hold there).
/// Mirroring Go exactly keeps our due times identical to Temporal's around DST changes.
/// </summary>
internal sealed class WallClock(DateTimeZone zone)
{
    private static readonly long UnixEpochTicks = DateTime.UnixEpoch.Ticks;

    public DateTimeZone Zone { get; } = zone;

    /// <summary>The instant of the wall time, whole seconds.</summary>
    public Instant Resolve(int year, int month, int day, int hour, int minute, int second)
    {
        var firstOfMonth = (new DateTime(year, month, 1, 0, 0, 0, DateTimeKind.Utc).Ticks - UnixEpochTicks)
            / TimeSpan.TicksPerSecond;
        var wallSeconds = firstOfMonth + ((day - 1) * 86_400L) + (hour * 3_600L) + (minute * 60L) + second;

        var guess = Zone.GetZoneInterval(Instant.FromUnixTimeSeconds(wallSeconds));
        var offset = guess.WallOffset.Seconds;
        if (offset != 0)
        {
            var utc = Instant.FromUnixTimeSeconds(wallSeconds - offset);
            if ((guess.HasStart && utc < guess.Start) || (guess.HasEnd && utc >= guess.End))
            {
                offset = Zone.GetZoneInterval(utc).WallOffset.Seconds;
            }
        }
        return Instant.FromUnixTimeSeconds(wallSeconds - offset);
    }

    public WallTime Fields(Instant instant)
    {
        var local = instant.InZone(Zone).LocalDateTime;
        return new WallTime(local.Year, local.Month, local.Day, local.Hour, local.Minute, local.Second,
            (int)local.DayOfWeek % 7);
    }

    /// <summary>Days in a month the Gregorian way; month 13 (a carry not yet normalised) counts 30, as in Go.</summary>
    public static int DaysInMonth(int month, int year)
    {
        if (month == 2)
        {
            return DateTime.IsLeapYear(year) ? 29 : 28;
        }
        return month is 4 or 6 or 9 or 11 or 13 ? 30 : 31;
    }
}
