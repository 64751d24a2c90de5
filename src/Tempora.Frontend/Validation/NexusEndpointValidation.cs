using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Google.Protobuf;
using Tempora.Core.Errors;
using Tempora.History;
using Tempora.History.Validation;
using Tempora.Persistence.Nexus;
using Temporalio.Api.Nexus.V1;

namespace Tempora.Frontend.Validation;

/// <summary>
/// The Nexus endpoint requests' checks, in Temporal 1.28's order and words (service/frontend/nexus_endpoint_client.go:
/// validateUpsertSpec, getEndpointIDIssues, validatePageSize). As there, the problems of a request are gathered and
/// answered together in one InvalidArgument, joined by ", ".
/// </summary>
internal static partial class NexusEndpointValidation
{
    /// <summary>Temporal's limit.endpointNameMaxLength, in bytes.</summary>
    public const int MaxNameLength = 200;

    /// <summary>Temporal's limit.endpointDescriptionMaxSize: the description Payload's serialized size, in bytes.</summary>
    public const int MaxDescriptionSize = 20_000;

    /// <summary>Temporal's limit.endpointExternalURLMaxLength, in bytes.</summary>
    public const int MaxUrlLength = 4 * 1024;

    /// <summary>Temporal's limit.endpointListDefaultPageSize and limit.endpointListMaxPageSize.</summary>
    public const int DefaultPageSize = 100;

    public const int MaxPageSize = 1000;

    /// <summary>The name rule as Temporal prints it (Go's %q of its regular expression).</summary>
    private const string NamePatternQuoted = "\"^[a-zA-Z][a-zA-Z0-9\\\\-]*[a-zA-Z0-9]$\"";

    // \z, not $: .NET's $ also matches before a final newline, Go's does not.
    [GeneratedRegex(@"^[a-zA-Z][a-zA-Z0-9\-]*[a-zA-Z0-9]\z", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    /// <summary>What a valid Create or Update spec stores.</summary>
    internal sealed record ValidSpec(string Name, NexusEndpointTarget Target, byte[]? Description);

    /// <summary>
    /// Checks a Create or Update spec and resolves its worker target's namespace to its id. A target namespace that
    /// does not exist answers FailedPrecondition, as on Temporal (its registry's NotFound, quoted).
    /// </summary>
    public static async Task<ValidSpec> ValidateSpecAsync(EndpointSpec? spec, NamespaceRegistry namespaces, CancellationToken ct)
    {
        spec ??= new EndpointSpec();
        var name = spec.Name;
        var issues = NameIssues(name);
        var target = spec.Target;
        if (target is null || target.VariantCase == EndpointTarget.VariantOneofCase.None)
        {
            issues.Add("empty target variant");
            throw Invalid(issues);
        }
        NexusEndpointTarget? resolved = null;
        if (target.VariantCase == EndpointTarget.VariantOneofCase.Worker)
        {
            var worker = target.Worker;
            string? namespaceId = null;
            if (worker.Namespace.Length == 0)
            {
                issues.Add("target namespace not set");
            }
            else
            {
                try
                {
                    namespaceId = (await namespaces.GetByNameAsync(worker.Namespace, ct)).Id;
                }
                catch (NamespaceNotFoundException e)
                {
                    throw new FailedPreconditionException($"could not verify namespace referenced by target exists: {e.Message}");
                }
            }
            if (TaskQueueProblem(worker.TaskQueue) is { } problem)
            {
                issues.Add($"invalid target task queue: {GoQuote(problem)}");
            }
            else if (namespaceId is not null)
            {
                resolved = NexusEndpointTarget.Worker(namespaceId, worker.TaskQueue);
            }
        }
        else
        {
            var url = target.External.Url;
            if (UrlProblem(url) is { } problem)
            {
                issues.Add(problem);
            }
            else
            {
                resolved = NexusEndpointTarget.External(url);
            }
        }
        if (spec.Description is { } description && description.CalculateSize() > MaxDescriptionSize)
        {
            issues.Add($"description size exceeds limit of {MaxDescriptionSize}");
        }
        if (issues.Count > 0 || resolved is null)
        {
            throw Invalid(issues);
        }
        return new ValidSpec(name, resolved, spec.Description?.ToByteArray());
    }

    /// <summary>The id of a Get or Delete: set and a UUID (in any form Go's uuid.Parse reads); answers its canonical form.</summary>
    public static string RequireId(string id, List<string> issues)
    {
        if (id.Length == 0)
        {
            issues.Add("endpoint ID not set");
            return id;
        }
        if (!TryCanonicalId(id, out var canonical, out var error))
        {
            issues.Add($"malformed endpoint ID: {GoQuote(error)}");
            return id;
        }
        return canonical;
    }

    /// <summary>Throws the InvalidArgument of <paramref name="issues"/> when there are any.</summary>
    public static void ThrowIfAny(List<string> issues)
    {
        if (issues.Count > 0)
        {
            throw Invalid(issues);
        }
    }

    /// <summary>ListNexusEndpoints' page size: 0 means the default; negative or above the maximum is refused.</summary>
    public static int PageSize(int requested) => requested switch
    {
        0 => DefaultPageSize,
        < 0 => throw new InvalidArgumentException("page_size is negative"),
        > MaxPageSize => throw new InvalidArgumentException($"page_size exceeds limit of {MaxPageSize}"),
        _ => requested,
    };

    /// <summary>
    /// The canonical lowercase form of a UUID written as Go's uuid.Parse reads it: 36 characters with dashes, the
    /// same inside braces (38) or after "urn:uuid:" (45), or 32 hex digits; else the reason, in its words.
    /// </summary>
    public static bool TryCanonicalId(string id, out string canonical, out string error)
    {
        canonical = "";
        error = "";
        var bytes = Encoding.UTF8.GetByteCount(id);
        string dashed;
        switch (bytes)
        {
            case 36:
                dashed = id;
                break;
            case 45:
                if (!id.StartsWith("urn:uuid:", StringComparison.OrdinalIgnoreCase))
                {
                    error = $"invalid urn prefix: {GoQuote(Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(id), 0, 9))}";
                    return false;
                }
                dashed = id[9..];
                break;
            case 38:
                dashed = id.Length == 38 ? id[1..37] : "";
                break;
            case 32:
                dashed = id.Length == 32 ? $"{id[..8]}-{id[8..12]}-{id[12..16]}-{id[16..20]}-{id[20..]}" : "";
                break;
            default:
                error = $"invalid UUID length: {bytes}";
                return false;
        }
        if (dashed.Length != 36 || dashed[8] != '-' || dashed[13] != '-' || dashed[18] != '-' || dashed[23] != '-'
            || !dashed.Where((c, i) => i is not (8 or 13 or 18 or 23)).All(char.IsAsciiHexDigit))
        {
            error = "invalid UUID format";
            return false;
        }
        canonical = dashed.ToLowerInvariant();
        return true;
    }

    private static List<string> NameIssues(string name)
    {
        if (name.Length == 0)
        {
            return ["endpoint name not set"];
        }
        var issues = new List<string>();
        if (Encoding.UTF8.GetByteCount(name) > MaxNameLength)
        {
            issues.Add($"endpoint name exceeds length limit of {MaxNameLength}");
        }
        if (!NamePattern().IsMatch(name))
        {
            issues.Add($"endpoint name must match the regex: {NamePatternQuoted}");
        }
        return issues;
    }

    /// <summary>Temporal's tqid.Validate of a root task queue name, in its words; null when the name is valid.</summary>
    private static string? TaskQueueProblem(string taskQueue)
    {
        if (taskQueue.Length == 0)
        {
            return "taskQueue is not set";
        }
        if (Encoding.UTF8.GetByteCount(taskQueue) > HistoryLimits.MaxIdLength)
        {
            return "taskQueue length exceeds limit";
        }
        return taskQueue.StartsWith(TaskQueueNames.ReservedPrefix, StringComparison.Ordinal)
            ? $"task queue name cannot start with reserved prefix {TaskQueueNames.ReservedPrefix}"
            : null;
    }

    /// <summary>
    /// An external target's URL: set, at most <see cref="MaxUrlLength"/> bytes, parseable, and http or https. The
    /// scheme is read as Go's url.Parse reads it (letters first, then letters, digits, '+', '-', '.', up to a ':';
    /// anything else means no scheme); the parse itself is .NET's absolute-URI parse, so a URL Go would parse but .NET
    /// not (or the reverse) is judged by .NET, and its reason is .NET's.
    /// </summary>
    private static string? UrlProblem(string url)
    {
        if (url.Length == 0)
        {
            return "empty target URL";
        }
        if (Encoding.UTF8.GetByteCount(url) > MaxUrlLength)
        {
            return $"target URL length exceeds limit of {MaxUrlLength}";
        }
        if (url[0] == ':')
        {
            return $"invalid target URL: parse {GoQuote(url)}: missing protocol scheme";
        }
        var scheme = Scheme(url);
        if (scheme is not ("http" or "https"))
        {
            return $"invalid target URL scheme: {GoQuote(scheme)}, expected http or https";
        }
        return Uri.TryCreate(url, UriKind.Absolute, out _) ? null : $"invalid target URL: parse {GoQuote(url)}: invalid URL";
    }

    private static string Scheme(string url)
    {
        for (var i = 0; i < url.Length; i++)
        {
            var c = url[i];
            if (char.IsAsciiLetter(c) || (i > 0 && (char.IsAsciiDigit(c) || c is '+' or '-' or '.')))
            {
                continue;
            }
            return c == ':' && i > 0 ? url[..i].ToLowerInvariant() : "";
        }
        return "";
    }

    private static InvalidArgumentException Invalid(List<string> issues) => new(string.Join(", ", issues));

    /// <summary>A string quoted as Go's %q quotes it, for the characters these messages can hold.</summary>
    internal static string GoQuote(string s)
    {
        var b = new StringBuilder(s.Length + 2).Append('"');
        foreach (var c in s)
        {
            _ = c switch
            {
                '"' => b.Append("\\\""),
                '\\' => b.Append("\\\\"),
                '\n' => b.Append("\\n"),
                '\r' => b.Append("\\r"),
                '\t' => b.Append("\\t"),
                < ' ' or '\u007f' => b.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}"),
                _ => b.Append(c),
            };
        }
        return b.Append('"').ToString();
    }
}
