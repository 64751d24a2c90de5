using System.Globalization;
using System.Text;

namespace Tempora.Matching.Nexus;

/// <summary>
/// A duration written as Go's <c>time.Duration.String()</c> writes it ("9.998s", "1m30s", "1h0m0s", "1.5ms", "0s"):
/// Temporal sends a Nexus worker the time left for a request in this form (the <c>request-timeout</c> header), and the
/// SDKs parse it as such.
/// </summary>
public static class GoDuration
{
    private const long NanosPerMicro = 1_000;
    private const long NanosPerMilli = 1_000_000;
    private const long NanosPerSecond = 1_000_000_000;

    public static string Format(TimeSpan duration)
    {
        // .NET counts 100 ns ticks; Go nanoseconds. Every tick is a whole number of nanoseconds.
        var negative = duration < TimeSpan.Zero;
        var nanos = (ulong)Math.Min(Math.Abs((decimal)duration.Ticks) * 100, ulong.MaxValue);
        var text = new StringBuilder();
        if (negative)
        {
            text.Append('-');
        }
        if (nanos == 0)
        {
            return "0s";
        }
        if (nanos < NanosPerSecond)
        {
            // Under a second: the largest unit that keeps a whole part, with the rest as a fraction.
            var (unit, suffix) = nanos < NanosPerMicro ? (1L, "ns") : nanos < NanosPerMilli ? (NanosPerMicro, "µs") : (NanosPerMilli, "ms");
            AppendWithFraction(text, nanos, (ulong)unit);
            return text.Append(suffix).ToString();
        }
        var totalSeconds = nanos / NanosPerSecond;
        var hours = totalSeconds / 3600;
        var minutes = totalSeconds / 60 % 60;
        if (hours > 0)
        {
            text.Append(hours.ToString(CultureInfo.InvariantCulture)).Append('h');
        }
        if (hours > 0 || minutes > 0)
        {
            text.Append(minutes.ToString(CultureInfo.InvariantCulture)).Append('m');
        }
        AppendWithFraction(text, nanos % (60 * NanosPerSecond), NanosPerSecond);
        return text.Append('s').ToString();
    }

    /// <summary>value/unit with its fraction, trailing zeros (and a bare point) left out, as Go's fmtFrac.</summary>
    private static void AppendWithFraction(StringBuilder text, ulong value, ulong unit)
    {
        text.Append((value / unit).ToString(CultureInfo.InvariantCulture));
        var rest = value % unit;
        if (rest == 0)
        {
            return;
        }
        var digits = unit.ToString(CultureInfo.InvariantCulture).Length - 1;
        text.Append('.').Append(rest.ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0').TrimEnd('0'));
    }
}
