using System.Buffers.Binary;
using System.Text;
using NodaTime;
using Tempora.Core;

namespace Tempora.Worker.Schedules.Specs;

/// <summary>
/// Temporal's deterministic jitter: a fingerprint of the nominal time (in Go's binary time encoding) followed by the
/// seed picks a point in [0, max) at millisecond resolution. Same seed and time, same delay, on every server.
/// </summary>
internal static class Jitter
{
    // Go's time.Time.MarshalBinary: version 1, seconds since 0001-01-01 UTC, nanoseconds, zone offset (-1 = UTC).
    private const byte GoTimeEncodingVersion = 1;
    private const long GoSecondsToUnixEpoch = 62_135_596_800;
    private const short GoUtcOffsetMarker = -1;
    private const int GoTimeEncodingLength = 15;
    private const long NanosPerMilli = 1_000_000;

    /// <summary>The delay for <paramref name="nominal"/> (a whole second in UTC), below <paramref name="max"/>.</summary>
    public static Duration For(Instant nominal, string seed, Duration max)
    {
        var maxMillis = max < Duration.Zero ? 0UL : (ulong)Math.Min(max.ToInt64Nanoseconds() / NanosPerMilli, uint.MaxValue);
        if (maxMillis == 0)
        {
            return Duration.Zero;
        }
        var fingerprint = (ulong)FarmHash.Fingerprint32(HashInput(nominal, seed));
        // A 32-bit fraction of the range: fits in 64 bits because the range is capped at 32 bits of milliseconds.
        return Duration.FromMilliseconds((long)((fingerprint * maxMillis) >> 32));
    }

    private static byte[] HashInput(Instant nominal, string seed)
    {
        var seedBytes = Encoding.UTF8.GetBytes(seed);
        var input = new byte[GoTimeEncodingLength + seedBytes.Length];
        var unixSeconds = nominal.ToUnixTimeSeconds();
        var nanos = (int)(nominal - Instant.FromUnixTimeSeconds(unixSeconds)).ToInt64Nanoseconds();
        input[0] = GoTimeEncodingVersion;
        BinaryPrimitives.WriteInt64BigEndian(input.AsSpan(1), unixSeconds + GoSecondsToUnixEpoch);
        BinaryPrimitives.WriteInt32BigEndian(input.AsSpan(9), nanos);
        BinaryPrimitives.WriteInt16BigEndian(input.AsSpan(13), GoUtcOffsetMarker);
        seedBytes.CopyTo(input, GoTimeEncodingLength);
        return input;
    }
}
