using System.Text.RegularExpressions;
using System.Web;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;

namespace Tempora.History.Nexus;

/// <summary>
/// Links between a Nexus caller's history and its handler's, in the URL form Nexus carries them
/// (<c>temporal:///namespaces/NS/workflows/WID/RID/history?referenceType=EventReference&amp;eventID=5&amp;eventType=…</c>),
/// as Temporal's link converter writes and reads them.
/// </summary>
internal static partial class NexusLinks
{
    public const string WorkflowEventType = "temporal.api.common.v1.Link.WorkflowEvent";

    public static Temporalio.Api.Nexus.V1.Link ToNexus(Link.Types.WorkflowEvent link)
    {
        var path = $"/namespaces/{Uri.EscapeDataString(link.Namespace)}/workflows/{Uri.EscapeDataString(link.WorkflowId)}/{Uri.EscapeDataString(link.RunId)}/history";
        var query = link.ReferenceCase switch
        {
            Link.Types.WorkflowEvent.ReferenceOneofCase.RequestIdRef =>
                $"eventType={EventTypeName(link.RequestIdRef.EventType)}&referenceType=RequestIdReference&requestID={Uri.EscapeDataString(link.RequestIdRef.RequestId)}",
            _ => (link.EventRef?.EventId ?? 0) > 0
                ? $"eventID={link.EventRef!.EventId}&eventType={EventTypeName(link.EventRef.EventType)}&referenceType=EventReference"
                : $"eventType={EventTypeName(link.EventRef?.EventType ?? EventType.Unspecified)}&referenceType=EventReference",
        };
        return new Temporalio.Api.Nexus.V1.Link { Url = $"temporal://{path}?{query}", Type = WorkflowEventType };
    }

    /// <summary>A Nexus link back in Temporal form; null for a link of another type or one that does not parse (Temporal logs and skips it).</summary>
    public static Link? FromNexus(Temporalio.Api.Nexus.V1.Link link)
    {
        if (link.Type != WorkflowEventType || !Uri.TryCreate(link.Url, UriKind.Absolute, out var uri) || uri.Scheme != "temporal")
        {
            return null;
        }
        var match = PathPattern().Match(uri.AbsolutePath);
        if (!match.Success)
        {
            return null;
        }
        var query = HttpUtility.ParseQueryString(uri.Query);
        var workflowEvent = new Link.Types.WorkflowEvent
        {
            Namespace = Uri.UnescapeDataString(match.Groups[1].Value),
            WorkflowId = Uri.UnescapeDataString(match.Groups[2].Value),
            RunId = Uri.UnescapeDataString(match.Groups[3].Value),
        };
        if (!TryParseEventType(query["eventType"], out var eventType))
        {
            return null;
        }
        switch (query["referenceType"])
        {
            case "EventReference":
                long eventId = 0;
                if (query["eventID"] is { Length: > 0 } id && !long.TryParse(id, out eventId))
                {
                    return null;
                }
                workflowEvent.EventRef = new Link.Types.WorkflowEvent.Types.EventReference { EventId = eventId, EventType = eventType };
                break;
            case "RequestIdReference":
                workflowEvent.RequestIdRef = new Link.Types.WorkflowEvent.Types.RequestIdReference
                {
                    RequestId = query["requestID"] ?? "",
                    EventType = eventType,
                };
                break;
            default:
                return null;
        }
        return new Link { WorkflowEvent = workflowEvent };
    }

    /// <summary>The short name (NexusOperationScheduled), as Temporal writes it (the Go API's EventType.String()); the
    /// TypeScript SDK reads only that form.</summary>
    private static string EventTypeName(EventType type) => type.ToString();

    /// <summary>Either the Go enum name or the short PascalCase one, as Temporal's EventTypeFromString accepts.</summary>
    private static bool TryParseEventType(string? text, out EventType type)
    {
        type = EventType.Unspecified;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }
        var pascal = text.StartsWith("EVENT_TYPE_", StringComparison.Ordinal)
            ? string.Concat(text["EVENT_TYPE_".Length..].Split('_').Select(w => w.Length == 0 ? w : w[0] + w[1..].ToLowerInvariant()))
            : text;
        return Enum.TryParse(pascal, ignoreCase: false, out type) && Enum.IsDefined(type);
    }

    [GeneratedRegex("^/namespaces/([^/]+)/workflows/([^/]+)/([^/]+)/history$")]
    private static partial Regex PathPattern();
}
