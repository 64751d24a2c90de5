using System.Globalization;
using System.Text.RegularExpressions;

namespace Tempora.Worker.Schedules.Specs;

/// <summary>
/// Parses the durations of "@every &lt;interval&gt;[/&lt;phase&gt;]" as Temporal does: Go's time.ParseDuration
/// syntax ("1h30m", "1.5s", "-2m"), plus "d" for exactly 24 hours. Errors carry Go's texts.
/// </summary>
internal static partial class CronDuration
{
    private const ulong MaxMagnitude = 1UL << 63;

    private static readonly Dictionary<string, ulong> UnitNanos = new(StringComparer.Ordinal)
    {
        ["ns"] = 1,
        ["us"] = 1_000,
        ["\u00b5s"] = 1_000,
        ["\u03bcs"] = 1_000,
        ["ms"] = 1_000_000,
        ["s"] = 1_000_000_000,
        ["m"] = 60_000_000_000,
        ["h"] = 3_600_000_000_000,
    };

    /// <summary>The duration in nanoseconds; throws <see cref="SpecDetailException"/> with Go's message.</summary>
    public static long ParseNanos(string text)
    {
        // Temporal rewrites each "<number>d" into hours (printed with six decimals) before Go parses it.
        var rewritten = DaysPattern().Replace(text, match =>
        {
            var days = double.Parse(match.Value[..^1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
            return (24 * days).ToString("F6", CultureInfo.InvariantCulture) + "h";
        });
        return ParseGoDuration(rewritten);
    }

    private static long ParseGoDuration(string original)
    {
        var s = original;
        var negative = false;
        if (s.Length > 0 && (s[0] == '-' || s[0] == '+'))
        {
            negative = s[0] == '-';
            s = s[1..];
        }
        if (s == "0")
        {
            return 0;
        }
        if (s.Length == 0)
        {
            throw Invalid(original);
        }

        ulong total = 0;
        while (s.Length > 0)
        {
            if (!(s[0] == '.' || char.IsAsciiDigit(s[0])))
            {
                throw Invalid(original);
            }
            var before = s.Length;
            if (!TryLeadingInt(ref s, out var whole))
            {
                throw Invalid(original);
            }
            var hasWhole = before != s.Length;
            var hasFraction = false;
            ulong fraction = 0;
            var scale = 1.0;
            if (s.Length > 0 && s[0] == '.')
            {
                s = s[1..];
                before = s.Length;
                (fraction, scale) = LeadingFraction(ref s);
                hasFraction = before != s.Length;
            }
            if (!hasWhole && !hasFraction)
            {
                throw Invalid(original);
            }

            var unitLength = 0;
            while (unitLength < s.Length && s[unitLength] != '.' && !char.IsAsciiDigit(s[unitLength]))
            {
                unitLength++;
            }
            if (unitLength == 0)
            {
                throw new SpecDetailException("time: missing unit in duration " + GoText.TimeQuote(original));
            }
            var unitText = s[..unitLength];
            s = s[unitLength..];
            if (!UnitNanos.TryGetValue(unitText, out var unit))
            {
                throw new SpecDetailException(
                    "time: unknown unit " + GoText.TimeQuote(unitText) + " in duration " + GoText.TimeQuote(original));
            }
            if (whole > MaxMagnitude / unit)
            {
                throw Invalid(original);
            }
            var value = whole * unit;
            if (fraction > 0)
            {
                value += (ulong)(fraction * (unit / scale));
                if (value > MaxMagnitude)
                {
                    throw Invalid(original);
                }
            }
            total += value;
            if (total > MaxMagnitude)
            {
                throw Invalid(original);
            }
        }

        if (negative)
        {
            return total == MaxMagnitude ? long.MinValue : -(long)total;
        }
        if (total > long.MaxValue)
        {
            throw Invalid(original);
        }
        return (long)total;
    }

    private static bool TryLeadingInt(ref string s, out ulong value)
    {
        value = 0;
        var i = 0;
        for (; i < s.Length && char.IsAsciiDigit(s[i]); i++)
        {
            if (value > MaxMagnitude / 10)
            {
                return false;
            }
            value = (value * 10) + (ulong)(s[i] - '0');
            if (value > MaxMagnitude)
            {
                return false;
            }
        }
        s = s[i..];
        return true;
    }

    // Digits past what 63 bits hold are consumed and ignored, as Go does.
    private static (ulong Fraction, double Scale) LeadingFraction(ref string s)
    {
        ulong value = 0;
        var scale = 1.0;
        var overflow = false;
        var i = 0;
        for (; i < s.Length && char.IsAsciiDigit(s[i]); i++)
        {
            if (overflow)
            {
                continue;
            }
            if (value > (MaxMagnitude - 1) / 10)
            {
                overflow = true;
                continue;
            }
            var next = (value * 10) + (ulong)(s[i] - '0');
            if (next > MaxMagnitude)
            {
                overflow = true;
                continue;
            }
            value = next;
            scale *= 10;
        }
        s = s[i..];
        return (value, scale);
    }

    private static SpecDetailException Invalid(string original) =>
        new("time: invalid duration " + GoText.TimeQuote(original));

    [GeneratedRegex(@"([0-9]+(\.[0-9]*)?|(\.[0-9]+))d", RegexOptions.CultureInvariant)]
    private static partial Regex DaysPattern();
}
