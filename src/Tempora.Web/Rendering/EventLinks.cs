using Tempora.Web.Markup;
using Temporalio.Api.Common.V1;

namespace Tempora.Web.Rendering;

/// <summary>
/// An event's links (HistoryEvent.links) as links to the pages they name: a Nexus operation's Started event links to
/// the handler's workflow and that workflow's Started event back to the caller, usually in another namespace, so a
/// reader can walk between the two histories as in the Temporal UI.
/// </summary>
internal static class EventLinks
{
    public static Html Render(IEnumerable<Link> links)
    {
        var w = new HtmlWriter();
        // The SDK forwards the inbound link twice (from its options and from the Nexus request); show each target once.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var link in links)
        {
            if (link.WorkflowEvent is not { } target || target.WorkflowId.Length == 0 || target.RunId.Length == 0)
            {
                continue;
            }
            var url = Format.RunUrl(target.Namespace, target.WorkflowId, target.RunId);
            if (target.EventRef is { EventId: > 0 } eventRef)
            {
                url += $"#event-{eventRef.EventId}";
            }
            if (seen.Add(url))
            {
                w.Write($" <a class=\"ev-link small\" href=\"{url}\" title=\"linked event in {target.Namespace}\">→ {target.Namespace}/{target.WorkflowId}</a>");
            }
        }
        return w.ToHtml();
    }
}
