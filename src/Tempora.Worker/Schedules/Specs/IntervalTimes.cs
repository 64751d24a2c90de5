using Temporalio.Api.Schedule.V1;

namespace Tempora.Worker.Schedules.Specs;

/// <summary>An interval's due times: every multiple of the interval since the Unix epoch, shifted by the phase, in
/// whole seconds (so "every 1h, phase 15m" fires at :15 of each UTC hour).</summary>
internal sealed class IntervalTimes(IntervalSpec interval)
{
    private const long NanosPerSecond = 1_000_000_000;

    private readonly long _everySeconds = Math.Max(ProtoTime.Nanos(interval.Interval) / NanosPerSecond, 1);
    private readonly long _phaseSeconds = Math.Max(ProtoTime.Nanos(interval.Phase) / NanosPerSecond, 0);

    /// <summary>The first due time strictly after <paramref name="unixSeconds"/>, in Unix seconds.</summary>
    public long NextAfter(long unixSeconds) =>
        ((((unixSeconds - _phaseSeconds) / _everySeconds) + 1) * _everySeconds) + _phaseSeconds;
}
