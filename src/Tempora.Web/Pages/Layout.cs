using Tempora.Web.Markup;
using Tempora.Web.Rendering;

namespace Tempora.Web.Pages;

/// <summary>The frame of every page: header with navigation and namespace switcher, then the page's content.</summary>
internal static class Layout
{
    /// <param name="user">The signed-in user's name, with a sign-out button; null when the login is off.</param>
    public static string Render(string title, string? ns, IReadOnlyList<string> namespaces, Html content, Html head = default, string? user = null)
    {
        var w = new HtmlWriter();
        w.Write($"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{title} · Tempora</title>
            <link rel="stylesheet" href="{WebUiEndpoints.AssetPath}site.css">
            <script src="{WebUiEndpoints.AssetPath}site.js" defer></script>
            {head}
            </head>
            <body>
            <header class="top">
            <a class="brand" href="/">Tempora</a>
            """);
        if (ns is not null)
        {
            w.Write($"""
                <nav>
                <a href="{Format.WorkflowsUrl(ns)}">Workflows</a>
                <a href="{Format.SchedulesUrl(ns)}">Schedules</a>
                <a href="{Format.BatchesUrl(ns)}">Batches</a>
                <a href="{Format.ArchivalUrl(ns)}">Archive</a>
                <a href="{Format.DeploymentsUrl(ns)}">Deployments</a>
                <a href="{Format.NexusEndpointsUrl}">Nexus</a>
                <a href="{Format.NamespaceUrl(ns)}">Namespace</a>
                </nav>
                <form class="ns-switch" method="get" action="{WebUiEndpoints.AssetPath}namespace">
                <label for="ns-select">Namespace</label>
                <select id="ns-select" name="ns" data-autosubmit>
                """);
            foreach (var name in namespaces.Contains(ns, StringComparer.Ordinal) ? namespaces : namespaces.Append(ns))
            {
                var selected = Html.SelectedIf(name == ns);
                w.Write($"<option value=\"{name}\"{selected}>{name}</option>");
            }
            w.Write($"""
                </select>
                <noscript><button type="submit">Go</button></noscript>
                </form>
                """);
        }
        else
        {
            // Pages outside a namespace (the namespace list, the cluster-wide Nexus endpoints) still lead to both.
            w.Write($"""
                <nav>
                <a href="/namespaces">Namespaces</a>
                <a href="{Format.NexusEndpointsUrl}">Nexus</a>
                </nav>
                """);
        }
        if (user is not null)
        {
            w.Write($"""
                <form class="logout" method="post" action="{Security.UiLogin.LogoutPath}">
                <span class="user">{user}</span> <button type="submit">Sign out</button>
                </form>
                """);
        }
        w.Write($"""
            </header>
            <main>
            {content}
            </main>
            </body>
            </html>
            """);
        return w.ToString();
    }
}
