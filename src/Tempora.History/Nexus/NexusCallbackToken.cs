using System.Text.Json;
using Tempora.Core;
using Tempora.Core.Errors;

namespace Tempora.History.Nexus;

/// <summary>
/// What a Nexus completion callback carries to find the operation it completes: the caller's run, the operation's
/// scheduled event and its request id (Temporal's NexusOperationCompletion token). It travels in the callback's
/// header <see cref="HeaderName"/>, which the handler's SDK copies onto the workflow it starts, so the server can
/// report that workflow's close to the caller.
/// </summary>
public sealed record NexusCallbackToken(string NamespaceId, string WorkflowId, string RunId, long ScheduledEventId, string RequestId)
{
    /// <summary>Temporal's callback token header (Temporal-Callback-Token), as Nexus headers travel: lower case.</summary>
    public const string HeaderName = "temporal-callback-token";

    /// <summary>
    /// The callback URL Tempora hands to handlers: completions are delivered inside the server, never over HTTP
    /// (newer Temporal servers name their internal callbacks the same way).
    /// </summary>
    public const string SystemCallbackUrl = "temporal://system";

    private const int Version = 1;

    public WorkflowKey Caller => new(NamespaceId, WorkflowId, RunId);

    public string Serialize() => Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(new Wire(Version, NamespaceId, WorkflowId, RunId, ScheduledEventId, RequestId)));

    /// <summary>Reads a token this server made; a token that does not parse is InvalidArgument.</summary>
    public static NexusCallbackToken Parse(string text)
    {
        try
        {
            var wire = JsonSerializer.Deserialize<Wire>(Convert.FromBase64String(text));
            if (wire is { V: Version, Ns.Length: > 0, Wf.Length: > 0, Run.Length: > 0 } && wire.Ev > 0)
            {
                return new NexusCallbackToken(wire.Ns, wire.Wf, wire.Run, wire.Ev, wire.Req ?? "");
            }
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
        }
        throw new InvalidArgumentException("invalid callback token");
    }

    /// <summary>The token in a callback's header (its key in any case), or null.</summary>
    public static string? FromHeader(IEnumerable<KeyValuePair<string, string>> header) =>
        header.FirstOrDefault(kv => string.Equals(kv.Key, HeaderName, StringComparison.OrdinalIgnoreCase)).Value;

    private sealed record Wire(int V, string Ns, string Wf, string Run, long Ev, string? Req);
}
