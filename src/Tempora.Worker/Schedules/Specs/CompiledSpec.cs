using NodaTime;
using Temporalio.Api.Schedule.V1;

namespace Tempora.Worker.Schedules.Specs;

/// <summary>A schedule spec ready to answer "when next?" (calendars, intervals, exclusions, bounds, jitter, zone).</summary>
public sealed class CompiledSpec
{
    private static readonly Duration OneSecond = Duration.FromSeconds(1);

    private readonly IReadOnlyList<CompiledCalendar> _calendars;
    private readonly IReadOnlyList<IntervalTimes> _intervals;
    private readonly IReadOnlyList<CompiledCalendar> _exclusions;
    private readonly Instant _notBefore;
    private readonly Instant? _endTime;
    private readonly Duration _maxJitter;

    private CompiledSpec(ScheduleSpec canonical, DateTimeZone zone)
    {
        var clock = new WallClock(zone);
        _calendars = [.. canonical.StructuredCalendar.Select(c => new CompiledCalendar(c, clock))];
        _intervals = [.. canonical.Interval.Select(i => new IntervalTimes(i))];
        _exclusions = [.. canonical.ExcludeStructuredCalendar.Select(c => new CompiledCalendar(c, clock))];
        // Temporal searches from a second before the start time (the Unix epoch when unset), so that a start time
        // which itself matches is the first due time.
        var startTime = canonical.StartTime is null ? NodaConstants.UnixEpoch : ProtoTime.ToInstant(canonical.StartTime);
        _notBefore = startTime - OneSecond;
        _endTime = canonical.EndTime is null ? null : ProtoTime.ToInstant(canonical.EndTime);
        _maxJitter = Duration.FromNanoseconds(ProtoTime.Nanos(canonical.Jitter));
    }

    /// <summary>
    /// Turns cron strings and calendar specs into structured calendars, as Temporal stores and describes a spec, and
    /// checks everything; throws <see cref="ScheduleSpecException"/> with Temporal's message on bad input.
    /// </summary>
    public static ScheduleSpec Canonicalize(ScheduleSpec spec)
    {
        try
        {
            var canonical = SpecCanonicalizer.Canonicalize(spec);
            TimeZones.ForSpec(canonical);
            return canonical;
        }
        catch (SpecDetailException e)
        {
            throw SpecErrors.Invalid(e.Message);
        }
    }

    /// <summary>Compiles a canonical spec (<see cref="Canonicalize"/>); throws <see cref="ScheduleSpecException"/>.</summary>
    public static CompiledSpec Compile(ScheduleSpec canonical)
    {
        // Canonicalizing is idempotent, and doing it again lets a caller hand us a spec straight from a request.
        var spec = Canonicalize(canonical);
        try
        {
            return new CompiledSpec(spec, TimeZones.ForSpec(spec));
        }
        catch (SpecDetailException e)
        {
            throw SpecErrors.Invalid(e.Message);
        }
    }

    /// <summary>
    /// The spec as DescribeSchedule and ListSchedules show it: a copy whose ranges have their defaults written out
    /// (End below Start becomes Start, Step 0 becomes 1), as Temporal's frontend does before answering.
    /// </summary>
    public static ScheduleSpec WithRangeDefaults(ScheduleSpec canonical)
    {
        var copy = canonical.Clone();
        foreach (var calendar in copy.StructuredCalendar.Concat(copy.ExcludeStructuredCalendar))
        {
            var fields = new[]
            {
                calendar.Second, calendar.Minute, calendar.Hour, calendar.DayOfMonth, calendar.Month, calendar.Year,
                calendar.DayOfWeek,
            };
            foreach (var range in fields.SelectMany(f => f))
            {
                range.End = Math.Max(range.End, range.Start);
                range.Step = range.Step == 0 ? 1 : range.Step;
            }
        }
        return copy;
    }

    /// <summary>
    /// The first due time whose nominal time is strictly after <paramref name="after"/>, or null when there is none
    /// (past the end time, or a spec that matches nothing). Jitter is derived from <paramref name="jitterSeed"/> and
    /// the nominal time, so the same seed always gives the same actual time.
    /// </summary>
    public ScheduleTime? NextAfter(DateTimeOffset after, string jitterSeed)
    {
        var from = Instant.Max(Instant.FromDateTimeOffset(after), _notBefore);
        if (IsPastEnd(from))
        {
            return null;
        }
        Instant nominal;
        do
        {
            if (RawNextAfter(from) is not { } candidate || IsPastEnd(candidate))
            {
                return null;
            }
            nominal = candidate;
            from = candidate;
        }
        while (IsExcluded(nominal));

        // Jitter never pushes a time past the next nominal time (excluded or not), so due times keep their order.
        var maxJitter = _maxJitter;
        if (RawNextAfter(nominal) is { } following)
        {
            maxJitter = Duration.Min(maxJitter, following - nominal);
        }
        var actual = nominal + Jitter.For(nominal, jitterSeed, maxJitter);
        return new ScheduleTime(nominal.ToDateTimeOffset(), actual.ToDateTimeOffset());
    }

    private bool IsPastEnd(Instant time) =>
        (_endTime is { } end && time > end) || time.InUtc().Year > CalendarLimits.MaxYear;

    private bool IsExcluded(Instant time) => _exclusions.Any(e => e.Matches(time));

    // The earliest calendar or interval time after `after`, whole seconds, ignoring exclusions and bounds.
    private Instant? RawNextAfter(Instant after)
    {
        long? earliest = null;
        foreach (var calendar in _calendars)
        {
            if (calendar.Next(after) is { } next)
            {
                earliest = Math.Min(earliest ?? long.MaxValue, next.ToUnixTimeSeconds());
            }
        }
        var afterSeconds = after.ToUnixTimeSeconds();
        foreach (var interval in _intervals)
        {
            earliest = Math.Min(earliest ?? long.MaxValue, interval.NextAfter(afterSeconds));
        }
        return earliest is { } seconds ? Instant.FromUnixTimeSeconds(seconds) : null;
    }
}
