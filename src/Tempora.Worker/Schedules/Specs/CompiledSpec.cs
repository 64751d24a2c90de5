using Temporalio.Api.Schedule.V1;

namespace Tempora.Worker.Schedules.Specs;

/// <summary>A schedule spec ready to answer "when next?" (calendars, intervals, exclusions, bounds, jitter, zone).</summary>
/// <remarks>TEMPORARY interval-only stand-in so the schedule machine can be tested before the real spec lands.</remarks>
public sealed class CompiledSpec
{
    private readonly ScheduleSpec _spec;

    private CompiledSpec(ScheduleSpec spec)
    {
        _spec = spec;
    }

    /// <summary>
    /// Turns cron strings and calendar specs into structured calendars, as Temporal stores and describes a spec, and
    /// checks everything; throws <see cref="ScheduleSpecException"/> with Temporal's message on bad input.
    /// </summary>
    public static ScheduleSpec Canonicalize(ScheduleSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Compile(spec);
        return spec.Clone();
    }

    /// <summary>Compiles a canonical spec (<see cref="Canonicalize"/>); throws <see cref="ScheduleSpecException"/>.</summary>
    public static CompiledSpec Compile(ScheduleSpec canonical)
    {
        ArgumentNullException.ThrowIfNull(canonical);
        foreach (var interval in canonical.Interval)
        {
            if (interval.Interval is null || interval.Interval.ToTimeSpan() <= TimeSpan.Zero)
            {
                throw new ScheduleSpecException("Invalid schedule spec: interval is zero");
            }
        }
        return new CompiledSpec(canonical);
    }

    /// <summary>
    /// The first due time whose nominal time is strictly after <paramref name="after"/>, or null when there is none
    /// (past the end time, or a spec that matches nothing). Jitter is derived from <paramref name="jitterSeed"/> and
    /// the nominal time, so the same seed always gives the same actual time.
    /// </summary>
    public ScheduleTime? NextAfter(DateTimeOffset after, string jitterSeed)
    {
        if (_spec.StartTime is not null && after < _spec.StartTime.ToDateTimeOffset().AddSeconds(-1))
        {
            after = _spec.StartTime.ToDateTimeOffset().AddSeconds(-1);
        }
        DateTimeOffset? best = null;
        foreach (var interval in _spec.Interval)
        {
            var every = interval.Interval.ToTimeSpan().Ticks;
            var phase = (interval.Phase?.ToTimeSpan() ?? TimeSpan.Zero).Ticks;
            var since = after.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks - phase;
            var k = (since >= 0 ? since / every : -((-since + every - 1) / every)) + 1;
            var next = new DateTimeOffset(DateTimeOffset.UnixEpoch.UtcTicks + phase + (k * every), TimeSpan.Zero);
            while (next <= after)
            {
                next = next.AddTicks(every);
            }
            if (best is null || next < best)
            {
                best = next;
            }
        }
        if (best is null || (_spec.EndTime is not null && best > _spec.EndTime.ToDateTimeOffset()))
        {
            return null;
        }
        return new ScheduleTime(best.Value, best.Value);
    }
}
