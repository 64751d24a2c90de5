using Google.Protobuf.WellKnownTypes;
using NodaTime;
using Duration = Google.Protobuf.WellKnownTypes.Duration;

namespace Tempora.Worker.Schedules.Specs;

/// <summary>Protobuf durations and timestamps as Go's server reads them: nanoseconds in 64 bits, saturating, an
/// unset value being zero.</summary>
internal static class ProtoTime
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

    /// <summary>A timestamp as an instant; values outside years 1 to 9999 are pulled to the nearest end, which is far
    /// enough from any due time to act the same as Go's unbounded time.</summary>
    public static Instant ToInstant(Timestamp timestamp)
    {
        const long FirstSecond = -62_135_596_800;
        const long LastSecond = 253_402_300_799;
        var seconds = Math.Clamp(timestamp.Seconds, FirstSecond, LastSecond);
        return Instant.FromUnixTimeSeconds(seconds) + NodaTime.Duration.FromNanoseconds(Math.Clamp(timestamp.Nanos, 0, 999_999_999));
    }

    public static Duration FromNanos(long nanos) =>
        new() { Seconds = nanos / NanosPerSecond, Nanos = (int)(nanos % NanosPerSecond) };
}
