using System.Globalization;
using System.Text;

namespace Tempora.Worker.Schedules.Specs;

/// <summary>
/// The few Go standard-library behaviours whose error texts reach the user through Temporal's messages
/// (strconv.Atoi, the time package's quoting), reproduced so our InvalidArgument texts read the same.
/// </summary>
internal static class GoText
{
    /// <summary>Go's strconv.Atoi: optional sign, ASCII digits only, 64-bit range.</summary>
    public static bool TryAtoi(string s, out long value, out string error)
    {
        value = 0;
        error = "";
        var digits = s.Length > 0 && (s[0] == '+' || s[0] == '-') ? s[1..] : s;
        if (digits.Length == 0 || !digits.All(char.IsAsciiDigit))
        {
            error = $"strconv.Atoi: parsing {StrconvQuote(s)}: invalid syntax";
            return false;
        }
        if (!long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value))
        {
            error = $"strconv.Atoi: parsing {StrconvQuote(s)}: value out of range";
            return false;
        }
        return true;
    }

    /// <summary>Double-quotes like strconv.Quote does for printable text (escapes quote and backslash).</summary>
    public static string StrconvQuote(string s)
    {
        var builder = new StringBuilder("\"");
        foreach (var c in s)
        {
            switch (c)
            {
                case '"' or '\\':
                    builder.Append('\\').Append(c);
                    break;
                case < ' ':
                    builder.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
                    break;
                default:
                    builder.Append(c);
                    break;
            }
        }
        return builder.Append('"').ToString();
    }

    /// <summary>The time package's quoting: non-ASCII and control bytes become \xNN escapes of their UTF-8 bytes.</summary>
    public static string TimeQuote(string s)
    {
        var builder = new StringBuilder("\"");
        Span<byte> bytes = stackalloc byte[4];
        foreach (var rune in s.EnumerateRunes())
        {
            if (rune.Value >= 0x80 || rune.Value < ' ')
            {
                var length = rune.EncodeToUtf8(bytes);
                foreach (var b in bytes[..length])
                {
                    builder.Append(CultureInfo.InvariantCulture, $"\\x{b:x2}");
                }
                continue;
            }
            if (rune.Value is '"' or '\\')
            {
                builder.Append('\\');
            }
            builder.Append((char)rune.Value);
        }
        return builder.Append('"').ToString();
    }
}
