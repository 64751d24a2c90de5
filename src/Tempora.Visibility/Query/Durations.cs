using System.Globalization;

namespace Tempora.Visibility.Query;

/// <summary>
/// ExecutionDuration strings, as Temporal accepts them: integer nanoseconds, Go durations (<c>300ms</c>, <c>-1.5h</c>,
/// <c>2h45m</c>; units ns, us, µs, μs, ms, s, m, h, plus d = 24h), or <c>hh:mm:ss</c>.
/// </summary>
public static class Durations
{
    private static readonly (string Unit, long Nanos)[] Units =
    [
        ("ns", 1), ("us", 1_000), ("µs", 1_000), ("μs", 1_000), ("ms", 1_000_000), ("s", 1_000_000_000),
        ("m", 60_000_000_000), ("h", 3_600_000_000_000), ("d", 86_400_000_000_000),
    ];

    public static long? ParseNanoseconds(string text)
    {
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var nanos))
        {
            return nanos;
        }
        return ParseGo(text) ?? ParseHhMmSs(text);
    }

    private static long? ParseGo(string s)
    {
        var i = 0;
        var negative = false;
        if (i < s.Length && s[i] is '+' or '-')
        {
            negative = s[i] == '-';
            i++;
        }
        if (i == s.Length)
        {
            return null;
        }
        decimal total = 0;
        try
        {
            while (i < s.Length)
            {
                var start = i;
                while (i < s.Length && char.IsAsciiDigit(s[i]))
                {
                    i++;
                }
                var whole = s[start..i];
                var fraction = "";
                if (i < s.Length && s[i] == '.')
                {
                    i++;
                    var fractionStart = i;
                    while (i < s.Length && char.IsAsciiDigit(s[i]))
                    {
                        i++;
                    }
                    fraction = s[fractionStart..i];
                }
                if (whole.Length == 0 && fraction.Length == 0)
                {
                    return null;
                }
                var unitStart = i;
                while (i < s.Length && s[i] != '.' && !char.IsAsciiDigit(s[i]))
                {
                    i++;
                }
                var unit = s[unitStart..i];
                var scale = Array.Find(Units, u => u.Unit == unit).Nanos;
                if (scale == 0)
                {
                    return null; // missing or unknown unit ("5", "5x"); Go accepts a bare "0" only, handled as an integer above
                }
                var number = decimal.Parse((whole.Length == 0 ? "0" : whole) + (fraction.Length == 0 ? "" : "." + fraction),
                    NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
                total += number * scale;
            }
            total = decimal.Truncate(negative ? -total : total);
            return total is >= long.MinValue and <= long.MaxValue ? (long)total : null;
        }
        catch (OverflowException)
        {
            return null;
        }
    }

    private static long? ParseHhMmSs(string s)
    {
        var parts = s.Split(':');
        if (parts.Length != 3 || parts.Any(p => p.Length == 0 || !p.All(char.IsAsciiDigit)))
        {
            return null;
        }
        if (!long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var hours)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var minutes)
            || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || minutes > 59 || seconds > 59)
        {
            return null;
        }
        try
        {
            return checked((hours * 3600 + minutes * 60 + seconds) * 1_000_000_000);
        }
        catch (OverflowException)
        {
            return null;
        }
    }
}
