using System.Collections.Frozen;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Tempora.Visibility.Query;

/// <summary>Converts literal tokens to the typed values of an attribute, or explains why they do not fit.</summary>
internal static partial class Values
{
    private static readonly FrozenDictionary<string, long> Statuses = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase)
    {
        ["Unspecified"] = 0,
        ["Running"] = 1,
        ["Completed"] = 2,
        ["Failed"] = 3,
        ["Canceled"] = 4,
        ["Terminated"] = 5,
        ["ContinuedAsNew"] = 6,
        ["TimedOut"] = 7,
        ["WORKFLOW_EXECUTION_STATUS_UNSPECIFIED"] = 0,
        ["WORKFLOW_EXECUTION_STATUS_RUNNING"] = 1,
        ["WORKFLOW_EXECUTION_STATUS_COMPLETED"] = 2,
        ["WORKFLOW_EXECUTION_STATUS_FAILED"] = 3,
        ["WORKFLOW_EXECUTION_STATUS_CANCELED"] = 4,
        ["WORKFLOW_EXECUTION_STATUS_TERMINATED"] = 5,
        ["WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW"] = 6,
        ["WORKFLOW_EXECUTION_STATUS_TIMED_OUT"] = 7,
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    public static string String(Token value, FilterAttribute attribute)
    {
        if (value.Kind != TokenKind.String)
        {
            throw Mismatch(value, attribute, "a quoted string");
        }
        return value.Text;
    }

    public static long Status(Token value, FilterAttribute attribute)
    {
        if (value.Kind == TokenKind.String && Statuses.TryGetValue(value.Text, out var status))
        {
            return status;
        }
        if (value.Kind == TokenKind.Integer && long.TryParse(value.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out status)
            && status is >= 0 and <= 7)
        {
            return status;
        }
        throw Errors.At(value.Position, $"invalid {attribute.Name} value {Errors.Describe(value)}",
            "expected one of 'Running', 'Completed', 'Failed', 'Canceled', 'Terminated', 'ContinuedAsNew', 'TimedOut'");
    }

    public static long Int(Token value, FilterAttribute attribute)
    {
        if (value.Kind == TokenKind.Integer)
        {
            return ParseLong(value);
        }
        if (attribute.IsDuration && value.Kind == TokenKind.String)
        {
            return Durations.ParseNanoseconds(value.Text)
                ?? throw Errors.At(value.Position, $"invalid {attribute.Name} value {Errors.Describe(value)}",
                    "expected integer nanoseconds, a duration such as '300ms', '2h45m' or '1d', or 'hh:mm:ss'");
        }
        throw Mismatch(value, attribute, attribute.IsDuration ? "integer nanoseconds or a quoted duration" : "an integer");
    }

    public static double Double(Token value, FilterAttribute attribute)
    {
        if (value.Kind is TokenKind.Integer or TokenKind.Decimal)
        {
            var d = double.Parse(value.Text, NumberStyles.Float, CultureInfo.InvariantCulture);
            if (!double.IsFinite(d))
            {
                throw Errors.At(value.Position, $"number {Errors.Quote(value.Text)} out of range");
            }
            return d;
        }
        throw Mismatch(value, attribute, "a number");
    }

    public static bool Bool(Token value, FilterAttribute attribute)
    {
        if (value.IsKeyword("TRUE"))
        {
            return true;
        }
        if (value.IsKeyword("FALSE"))
        {
            return false;
        }
        throw Mismatch(value, attribute, "true or false");
    }

    /// <summary>A Datetime value as unix microseconds UTC (SQL visibility has microsecond resolution; finer is truncated).</summary>
    public static long DatetimeMicros(Token value, FilterAttribute attribute)
    {
        if (value.Kind == TokenKind.Integer)
        {
            // Epoch nanoseconds, floored to microseconds as Go's time formatting does.
            return (long)Math.Floor(ParseLong(value) / 1000m);
        }
        if (value.Kind == TokenKind.String)
        {
            return ParseRfc3339Micros(value.Text)
                ?? throw Errors.At(value.Position, $"invalid datetime {Errors.Quote(value.Text)} for {attribute.Name}",
                    "expected RFC 3339 such as '2024-05-01T12:00:00Z' or '2024-05-01T14:00:00.5+02:00', or integer epoch nanoseconds");
        }
        throw Mismatch(value, attribute, "a quoted RFC 3339 datetime or integer epoch nanoseconds");
    }

    public static DateTimeOffset FromMicros(long micros) => DateTimeOffset.UnixEpoch.AddTicks(micros * TimeSpan.TicksPerMicrosecond);

    internal static long? ParseRfc3339Micros(string text)
    {
        var m = Rfc3339().Match(text);
        if (!m.Success)
        {
            return null;
        }
        int Part(int group) => int.Parse(m.Groups[group].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture);
        try
        {
            var offset = TimeSpan.Zero;
            if (m.Groups[8].Success)
            {
                offset = new TimeSpan(Part(10), Part(11), 0);
                if (m.Groups[9].ValueSpan[0] == '-')
                {
                    offset = -offset;
                }
            }
            var fraction = m.Groups[7].Success ? m.Groups[7].Value.PadRight(7, '0')[..7] : "0";
            var ticks = long.Parse(fraction, NumberStyles.None, CultureInfo.InvariantCulture) / TimeSpan.TicksPerMicrosecond * TimeSpan.TicksPerMicrosecond;
            var local = new DateTimeOffset(Part(1), Part(2), Part(3), Part(4), Part(5), Part(6), offset).AddTicks(ticks);
            return (local.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;
        }
        catch (ArgumentException)
        {
            return null; // day 31 of April, hour 24, an offset beyond ±14h, or outside years 1-9999 in UTC
        }
    }

    private static long ParseLong(Token value) =>
        long.TryParse(value.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var result)
            ? result
            : throw Errors.At(value.Position, $"integer {Errors.Quote(value.Text)} out of range");

    private static InvalidQueryException Mismatch(Token value, FilterAttribute attribute, string expected) =>
        Errors.At(value.Position, $"{Errors.Describe(value)} is not a valid value for search attribute '{attribute.Name}' of type {attribute.Type}",
            $"expected {expected}");

    [GeneratedRegex(@"^([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,9}))?(?:[Zz]|(([+-])([0-9]{2}):([0-9]{2})))$",
        RegexOptions.CultureInvariant)]
    private static partial Regex Rfc3339();
}
