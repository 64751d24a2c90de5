using Tempora.Web.Markup;
using Tempora.Web.Rendering;
using Temporalio.Api.OperatorService.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Web.Pages;

/// <summary>/namespaces (all of them) and /namespaces/{ns} (one: state, retention, search attributes).</summary>
internal static class NamespacePage
{
    public static async Task RenderListAsync(UiRequest request)
    {
        var response = await request.CallAsync<ListNamespacesRequest, ListNamespacesResponse>(new() { PageSize = 1000 });
        var w = new HtmlWriter();
        w.Write($"<h1>Namespaces</h1><div class=\"scroll\"><table><thead><tr><th>Name</th><th>State</th><th>Retention</th><th>Description</th></tr></thead><tbody>");
        foreach (var ns in response.Namespaces)
        {
            w.Write($"""
                <tr><td><a href="{Format.WorkflowsUrl(ns.NamespaceInfo.Name)}">{ns.NamespaceInfo.Name}</a> · <a href="{Format.NamespaceUrl(ns.NamespaceInfo.Name)}">details</a></td>
                <td>{ns.NamespaceInfo.State}</td><td>{Format.Duration(ns.Config?.WorkflowExecutionRetentionTtl)}</td><td>{ns.NamespaceInfo.Description}</td></tr>
                """);
        }
        w.Write($"</tbody></table></div>");
        await request.WritePageAsync("Namespaces", w.ToHtml());
    }

    public static async Task RenderAsync(UiRequest request)
    {
        var ns = request.RequiredNamespace;
        var description = await request.CallAsync<DescribeNamespaceRequest, DescribeNamespaceResponse>(new() { Namespace = ns });
        var info = description.NamespaceInfo;
        var config = description.Config;
        // A deleted namespace (found by its new name while it is purged) serves nothing but its description.
        var attributes = info.State == Temporalio.Api.Enums.V1.NamespaceState.Deleted
            ? new ListSearchAttributesResponse()
            : await request.CallAsync<ListSearchAttributesRequest, ListSearchAttributesResponse>(new() { Namespace = ns });
        var w = new HtmlWriter();
        w.Write($"""
            <p class="crumbs"><a href="/namespaces">Namespaces</a> / {ns}</p>
            <h1>Namespace {info.Name}</h1>
            <section class="card"><h2>Settings</h2>
            <dl class="summary">
            <dt>ID</dt><dd class="mono">{info.Id}</dd>
            <dt>State</dt><dd>{info.State}</dd>
            <dt>Retention</dt><dd class="retention">{Format.Duration(description.Config?.WorkflowExecutionRetentionTtl)}</dd>
            <dt>Description</dt><dd>{(info.Description.Length > 0 ? info.Description : "–")}</dd>
            <dt>Owner</dt><dd>{(info.OwnerEmail.Length > 0 ? info.OwnerEmail : "–")}</dd>
            </dl>
            <p><a href="{Format.WorkflowsUrl(ns)}">Workflows in {ns}</a></p>
            </section>
            <section class="card archival"><h2>Archival</h2>
            <dl class="summary">
            <dt>History</dt><dd>{ArchivalState(config?.HistoryArchivalState, config?.HistoryArchivalUri)}</dd>
            <dt>Visibility</dt><dd>{ArchivalState(config?.VisibilityArchivalState, config?.VisibilityArchivalUri)}</dd>
            </dl>
            <p><a href="{Format.ArchivalUrl(ns)}">Archived workflows in {ns}</a></p>
            </section>
            <section class="card"><h2>Search attributes</h2>
            """);
        WriteAttributes(w, "Custom", attributes.CustomAttributes);
        WriteAttributes(w, "System", attributes.SystemAttributes);
        w.Write($"</section>");
        await request.WritePageAsync($"Namespace {ns}", w.ToHtml());
    }

    private static string ArchivalState(Temporalio.Api.Enums.V1.ArchivalState? state, string? uri) =>
        state == Temporalio.Api.Enums.V1.ArchivalState.Enabled ? $"Enabled, to {uri}" : "Disabled";

    private static void WriteAttributes(HtmlWriter w, string title, IDictionary<string, Temporalio.Api.Enums.V1.IndexedValueType> attributes)
    {
        w.Write($"<h3>{title}</h3>");
        if (attributes.Count == 0)
        {
            w.Write($"<p class=\"empty\">None. Add one with <code>temporal operator search-attribute create</code>.</p>");
            return;
        }
        w.Write($"<div class=\"scroll\"><table class=\"attributes\"><thead><tr><th>Name</th><th>Type</th></tr></thead><tbody>");
        foreach (var (name, type) in attributes.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            w.Write($"<tr><td class=\"mono\">{name}</td><td>{type}</td></tr>");
        }
        w.Write($"</tbody></table></div>");
    }
}
