using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.WebUtilities;
using Tempora.Web.Markup;
using Tempora.Web.Rendering;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Web.Pages;

/// <summary>
/// /namespaces/{ns}/worker-deployments: the namespace's worker deployments (ListWorkerDeployments), a page at a time,
/// each with its current and ramping version, its latest version and its created time.
/// </summary>
internal static class DeploymentListPage
{
    private const int PageSize = 50;

    public static async Task RenderAsync(UiRequest request)
    {
        var ns = request.RequiredNamespace;
        var token = request.Query("next");
        var w = new HtmlWriter();
        w.Write($"""
            <p class="crumbs"><a href="{Format.WorkflowsUrl(ns)}">Workflows</a> / worker deployments</p>
            <h1>Worker deployments</h1>
            """);
        if (request.Query("done") == "delete")
        {
            w.Write($"<p class=\"notice\" role=\"status\">Deployment {request.Query("name")} deleted.</p>");
        }

        ListWorkerDeploymentsResponse page;
        try
        {
            page = await request.CallAsync<ListWorkerDeploymentsRequest, ListWorkerDeploymentsResponse>(new()
            {
                Namespace = ns,
                PageSize = PageSize,
                NextPageToken = token.Length > 0 ? ByteString.CopyFrom(WebEncoders.Base64UrlDecode(token)) : ByteString.Empty,
            });
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unimplemented)
        {
            await DeploymentView.WriteUnimplementedAsync(request, ns, e);
            return;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.InvalidArgument)
        {
            w.Write($"<p class=\"error\" role=\"alert\">{e.Status.Detail}</p>");
            await request.WritePageAsync("Worker deployments", w.ToHtml(), 400);
            return;
        }
        catch (FormatException)
        {
            w.Write($"<p class=\"error\" role=\"alert\">The page token in the URL is not valid; start from the first page.</p>");
            await request.WritePageAsync("Worker deployments", w.ToHtml(), 400);
            return;
        }

        WriteTable(w, ns, page, firstPage: token.Length == 0);
        PagingLinks.Write(w, page.NextPageToken, onLaterPage: token.Length > 0,
            next => next is null ? Format.DeploymentsUrl(ns) : $"{Format.DeploymentsUrl(ns)}?next={Uri.EscapeDataString(next)}");
        await request.WritePageAsync("Worker deployments", w.ToHtml());
    }

    /// <summary>The table of one page of deployments, or what to do when there is none.</summary>
    public static void WriteTable(HtmlWriter w, string ns, ListWorkerDeploymentsResponse page, bool firstPage)
    {
        if (page.WorkerDeployments.Count == 0)
        {
            w.Write(firstPage
                ? Html.Of($"<p class=\"empty\">No worker deployments yet. A worker with deployment options and versioning on creates its deployment and version when it first polls.</p>")
                : Html.Of($"<p class=\"empty\">No more deployments.</p>"));
            return;
        }
        w.Write($"""
            <div class="scroll"><table class="deployments">
            <thead><tr><th>Name</th><th>Current version</th><th>Ramping version</th><th>Latest version</th><th>Created</th></tr></thead>
            <tbody>
            """);
        foreach (var deployment in page.WorkerDeployments)
        {
            var latest = deployment.LatestVersionSummary is { } summary ? DeploymentView.Version(summary) : null;
            w.Write($"""
                <tr data-deployment="{deployment.Name}">
                <td><a href="{Format.DeploymentUrl(ns, deployment.Name)}">{deployment.Name}</a></td>
                <td class="current">{DeploymentView.Link(ns, DeploymentView.Current(deployment.RoutingConfig))}</td>
                <td class="ramping">{DeploymentView.Ramp(ns, deployment.RoutingConfig)}</td>
                <td class="latest">{(latest is null ? Html.Of($"<span class=\"muted\">–</span>") : DeploymentView.Link(ns, latest))}</td>
                <td>{Format.Time(deployment.CreateTime)}</td>
                </tr>
                """);
        }
        w.Write($"</tbody></table></div>");
    }
}
