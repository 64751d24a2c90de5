using Google.Protobuf.WellKnownTypes;

namespace Tempora.Worker.Schedules.Specs;

/// <summary>Protobuf durations and timestamps as Go's server reads them: nanoseconds in 64 bits, saturating, an
/// unset value being zero.</summary>
internal static class ProtoDurations
{
    private const long NanosPerSecond = 1_000_000_000;

    public static long Nanos(Duration? duration)
    {
        if (duration is null)
        {
            return 0;
        }
        if (duration.Seconds > long.MaxValue / NanosPerSecond)
        {
            return long.MaxValue;
        }
        if (duration.Seconds < long.MinValue / NanosPerSecond)
        {
            return long.MinValue;
        }
        return (duration.Seconds * NanosPerSecond) + duration.Nanos;
    }

    public static Duration FromNanos(long nanos) =>
        new() { Seconds = nanos / NanosPerSecond, Nanos = (int)(nanos % NanosPerSecond) };
}
