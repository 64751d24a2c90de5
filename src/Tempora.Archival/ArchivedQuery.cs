using System.Globalization;
using System.Text;
using Tempora.Core.Errors;

namespace Tempora.Archival;

/// <summary>
/// A ListArchivedWorkflowExecutions query in the forms Temporal's S3 archiver takes: <c>WorkflowId = '…'</c> or
/// <c>WorkflowTypeName = '…'</c> (one of them, required), optionally with <c>StartTime = '…'</c> or
/// <c>CloseTime = '…'</c> (RFC 3339, or Unix nanoseconds) and <c>SearchPrecision = 'Day'|'Hour'|'Minute'|'Second'</c>,
/// joined by AND (parentheses allowed). Anything else is refused with InvalidArgument naming it.
/// </summary>
public sealed record ArchivedQuery(string? WorkflowId, string? WorkflowTypeName, DateTimeOffset? StartTime, DateTimeOffset? CloseTime, string? Precision)
{
    private static readonly string[] Precisions = ["Day", "Hour", "Minute", "Second"];

    public static ArchivedQuery Parse(string query)
    {
        var tokens = Tokenize(query);
        string? workflowId = null, type = null, precision = null;
        DateTimeOffset? start = null, close = null;
        var i = 0;
        while (i < tokens.Count)
        {
            if (tokens[i] is "(" or ")")
            {
                i++;
                continue;
            }
            if (tokens[i].Equals("AND", StringComparison.OrdinalIgnoreCase) && i > 0)
            {
                i++;
                continue;
            }
            if (tokens[i].Equals("OR", StringComparison.OrdinalIgnoreCase) || tokens[i].Equals("NOT", StringComparison.OrdinalIgnoreCase))
            {
                throw Invalid("only comparison and \"and\" expression is supported");
            }
            if (i + 2 >= tokens.Count)
            {
                throw Invalid($"incomplete expression after {tokens[i]}");
            }
            var name = tokens[i];
            var op = tokens[i + 1];
            var value = Value(tokens[i + 2]);
            i += 3;
            if (op != "=")
            {
                throw Invalid($"only operation = is supported for {name}");
            }
            switch (name)
            {
                case "WorkflowId":
                    workflowId = workflowId is null ? value : throw Invalid("can not query WorkflowId multiple times");
                    break;
                case "WorkflowTypeName":
                    type = type is null ? value : throw Invalid("can not query WorkflowTypeName multiple times");
                    break;
                case "StartTime":
                    start = Time(value, name);
                    break;
                case "CloseTime":
                    close = Time(value, name);
                    break;
                case "SearchPrecision":
                    if (!Precisions.Contains(value, StringComparer.Ordinal))
                    {
                        throw Invalid($"invalid value for SearchPrecision: {value}");
                    }
                    precision = precision is null || precision == value ? value : throw Invalid("only one expression is allowed for SearchPrecision");
                    break;
                default:
                    throw Invalid($"unknown filter name: {name} (archived workflows are searched by WorkflowId or WorkflowTypeName, with StartTime or CloseTime and SearchPrecision)");
            }
        }
        if (workflowId is null && type is null)
        {
            throw Invalid("WorkflowId or WorkflowTypeName is required in query");
        }
        if (workflowId is not null && type is not null)
        {
            throw Invalid("only one of WorkflowId or WorkflowTypeName can be specified in a query");
        }
        if (start is not null && close is not null)
        {
            throw Invalid("only one of StartTime or CloseTime can be specified in a query");
        }
        if ((start is not null || close is not null) && precision is null)
        {
            throw Invalid("SearchPrecision is required when searching for a StartTime or CloseTime");
        }
        if (start is null && close is null && precision is not null)
        {
            throw Invalid("SearchPrecision requires a StartTime or CloseTime");
        }
        return new ArchivedQuery(workflowId, type, start, close, precision);
    }

    /// <summary>Whether a run matches: ids and type exactly, times equal once both are cut to the precision (UTC).</summary>
    public bool Matches(string workflowId, string workflowType, DateTimeOffset startTime, DateTimeOffset closeTime) =>
        (WorkflowId is null || WorkflowId == workflowId)
        && (WorkflowTypeName is null || WorkflowTypeName == workflowType)
        && (StartTime is not { } s || Truncate(s) == Truncate(startTime))
        && (CloseTime is not { } c || Truncate(c) == Truncate(closeTime));

    private DateTimeOffset Truncate(DateTimeOffset t)
    {
        var u = t.UtcDateTime;
        return Precision switch
        {
            "Day" => new DateTimeOffset(u.Year, u.Month, u.Day, 0, 0, 0, TimeSpan.Zero),
            "Hour" => new DateTimeOffset(u.Year, u.Month, u.Day, u.Hour, 0, 0, TimeSpan.Zero),
            "Minute" => new DateTimeOffset(u.Year, u.Month, u.Day, u.Hour, u.Minute, 0, TimeSpan.Zero),
            _ => new DateTimeOffset(u.Year, u.Month, u.Day, u.Hour, u.Minute, u.Second, TimeSpan.Zero),
        };
    }

    private static DateTimeOffset Time(string value, string name)
    {
        if (long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var nanos))
        {
            return DateTimeOffset.UnixEpoch.AddTicks(nanos / 100);
        }
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return time;
        }
        throw Invalid($"invalid value for {name}: {value} (RFC 3339 or Unix nanoseconds)");
    }

    private static string Value(string token) =>
        token.Length >= 2 && token[0] is '\'' or '"' && token[^1] == token[0] ? token[1..^1] : token;

    private static List<string> Tokenize(string query)
    {
        var tokens = new List<string>();
        var i = 0;
        while (i < query.Length)
        {
            var c = query[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c is '(' or ')' or '=')
            {
                tokens.Add(c.ToString());
                i++;
            }
            else if (c is '!' or '<' or '>')
            {
                var op = i + 1 < query.Length && query[i + 1] is '=' or '>' ? query.Substring(i, 2) : c.ToString();
                tokens.Add(op);
                i += op.Length;
            }
            else if (c is '\'' or '"')
            {
                var end = query.IndexOf(c, i + 1);
                if (end < 0)
                {
                    throw Invalid("unterminated string");
                }
                tokens.Add(query[i..(end + 1)]);
                i = end + 1;
            }
            else
            {
                var word = new StringBuilder();
                while (i < query.Length && !char.IsWhiteSpace(query[i]) && query[i] is not ('(' or ')' or '=' or '!' or '<' or '>' or '\'' or '"'))
                {
                    word.Append(query[i++]);
                }
                tokens.Add(word.ToString());
            }
        }
        return tokens;
    }

    private static InvalidArgumentException Invalid(string reason) => new($"Invalid query: {reason}.");
}
