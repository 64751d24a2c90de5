using NodaTime;
using Temporalio.Api.Schedule.V1;

namespace Tempora.Worker.Schedules.Specs;

/// <summary>
/// One structured calendar in its zone: does an instant match it, and which is the next matching second. The walk
/// goes field by field from the year down, as Temporal's does, including its handling of DST: a wall time skipped
/// by a spring-forward gap does not fire, and in a fall-back overlap both copies of a repeated hour are visited when
/// the walk reaches the repeated hour from the hour before it.
/// </summary>
internal sealed class CompiledCalendar
{
    private static readonly Duration OneHour = Duration.FromHours(1);

    private readonly WallClock _clock;
    private readonly FieldMatcher _year;
    private readonly FieldMatcher _month;
    private readonly FieldMatcher _dayOfMonth;
    private readonly FieldMatcher _dayOfWeek;
    private readonly FieldMatcher _hour;
    private readonly FieldMatcher _minute;
    private readonly FieldMatcher _second;

    public CompiledCalendar(StructuredCalendarSpec calendar, WallClock clock)
    {
        _clock = clock;
        _year = FieldMatcher.OfYears(calendar.Year);
        _month = FieldMatcher.Of(calendar.Month);
        _dayOfMonth = FieldMatcher.Of(calendar.DayOfMonth);
        _dayOfWeek = FieldMatcher.Of(calendar.DayOfWeek);
        _hour = FieldMatcher.Of(calendar.Hour);
        _minute = FieldMatcher.Of(calendar.Minute);
        _second = FieldMatcher.Of(calendar.Second);
    }

    public bool Matches(Instant instant)
    {
        var t = _clock.Fields(instant);
        return _year.Matches(t.Year) && _month.Matches(t.Month) && _dayOfMonth.Matches(t.Day)
            && _dayOfWeek.Matches(t.Weekday) && _hour.Matches(t.Hour) && _minute.Matches(t.Minute)
            && _second.Matches(t.Second);
    }

    /// <summary>The first whole second after <paramref name="after"/> that matches, or null up to year 2100.</summary>
    public Instant? Next(Instant after)
    {
        var start = _clock.Fields(after);
        int y = start.Year, mo = start.Month, d = start.Day, h = start.Hour, m = start.Minute, s = start.Second;
        // Already in the second copy of a repeated hour: what we find in this hour must land in that copy too.
        var repeatShift = _clock.Fields(after - OneHour).Hour == h ? OneHour : Duration.Zero;
        s++;

        while (true)
        {
            if (s >= 60)
            {
                (m, s) = (m + 1, 0);
            }
            if (m >= 60)
            {
                var previous = _clock.Resolve(y, mo, d, h, 0, 0);
                (h, m) = (h + 1, 0);
                var following = _clock.Resolve(y, mo, d, h, 0, 0);
                // Two hours between consecutive wall hours: the hour just left repeats; walk it once more, shifted
                // into its second copy.
                if (repeatShift == Duration.Zero && following - previous > OneHour)
                {
                    h--;
                    repeatShift = OneHour;
                }
                else
                {
                    repeatShift = Duration.Zero;
                }
            }
            if (h >= 24)
            {
                (d, h) = (d + 1, 0);
            }
            if (d > WallClock.DaysInMonth(mo, y))
            {
                (mo, d) = (mo + 1, 1);
            }
            if (mo > 12)
            {
                (y, mo) = (y + 1, 1);
            }
            if (y > CalendarLimits.MaxYear)
            {
                return null;
            }

            if (!_year.Matches(y))
            {
                (y, mo, d, h, m, s) = (y + 1, 1, 1, 0, 0, 0);
                repeatShift = Duration.Zero;
                continue;
            }
            if (!AdvanceTo(_month, ref mo, 12, () => (d, h, m, s) = (1, 0, 0, 0), ref repeatShift))
            {
                continue;
            }
            if (!AdvanceToDay(ref y, ref mo, ref d, ref h, ref m, ref s, ref repeatShift))
            {
                continue;
            }
            if (!AdvanceTo(_hour, ref h, 23, () => (m, s) = (0, 0), ref repeatShift))
            {
                continue;
            }
            var keepShift = repeatShift;
            if (!AdvanceTo(_minute, ref m, 59, () => s = 0, ref keepShift))
            {
                continue;
            }
            if (!AdvanceTo(_second, ref s, 59, () => { }, ref keepShift))
            {
                continue;
            }

            var found = _clock.Resolve(y, mo, d, h, m, s);
            // A wall time inside a spring-forward gap resolves to another hour: it does not exist, move on.
            if (_clock.Fields(found).Hour != h)
            {
                (h, m, s) = (h + 1, 0, 0);
                continue;
            }
            return found + repeatShift;
        }
    }

    // Moves a field up to its next matching value, resetting the smaller fields at each step; false when it ran past
    // its maximum (the caller restarts the walk, which carries into the larger field).
    private static bool AdvanceTo(FieldMatcher matcher, ref int value, int max, Action resetSmaller, ref Duration repeatShift)
    {
        while (!matcher.Matches(value))
        {
            value++;
            resetSmaller();
            repeatShift = Duration.Zero;
            if (value > max)
            {
                return false;
            }
        }
        return true;
    }

    private bool AdvanceToDay(ref int y, ref int mo, ref int d, ref int h, ref int m, ref int s, ref Duration repeatShift)
    {
        while (!_dayOfMonth.Matches(d) || !_dayOfWeek.Matches(_clock.Fields(_clock.Resolve(y, mo, d, h, m, s)).Weekday))
        {
            (d, h, m, s) = (d + 1, 0, 0, 0);
            repeatShift = Duration.Zero;
            if (d > WallClock.DaysInMonth(mo, y))
            {
                return false;
            }
        }
        return true;
    }
}
