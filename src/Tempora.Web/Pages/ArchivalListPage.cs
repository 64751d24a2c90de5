using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Tempora.Web.Markup;
using Tempora.Web.Rendering;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Web.Pages;

/// <summary>
/// /namespaces/{ns}/archival: closed runs kept in the namespace's archive after retention deleted them, found with
/// ListArchivedWorkflowExecutions and the query forms of Temporal's S3 and file archivers; or, when archival is off,
/// how to turn it on. A run is opened by its ids on <see cref="WorkflowDetailPage.RenderArchivedAsync"/>.
/// </summary>
internal static class ArchivalListPage
{
    private const int PageSize = 50;

    public static async Task RenderAsync(UiRequest request)
    {
        var ns = request.RequiredNamespace;
        var archival = await NamespaceArchival.LoadAsync(request, ns);
        var w = new HtmlWriter();
        w.Write($"<h1>Archived workflows</h1>");
        if (!archival.HistoryEnabled)
        {
            WriteArchivalOff(w, ns, archival);
            await request.WritePageAsync("Archived workflows", w.ToHtml());
            return;
        }

        // The form that opens one run by its ids: an archived history is addressed by both.
        var workflowId = request.Query("workflowId").Trim();
        var runId = request.Query("runId").Trim();
        if (workflowId.Length > 0 && runId.Length > 0)
        {
            request.Http.Response.Redirect(Format.ArchivedRunUrl(ns, workflowId, runId));
            return;
        }
        var openError = workflowId.Length > 0 || runId.Length > 0
            ? "Give both the workflow ID and the run ID: an archived history is found by the two together."
            : null;

        var query = request.Query("query").Trim();
        if (!archival.VisibilityEnabled)
        {
            WriteVisibilityOff(w, ns, archival);
        }
        else
        {
            WriteQueryForm(w, ns, query);
        }
        WriteOpenForm(w, ns, workflowId, runId, openError);
        if (openError is not null)
        {
            await request.WritePageAsync("Archived workflows", w.ToHtml(), StatusCodes.Status400BadRequest);
            return;
        }
        if (!archival.VisibilityEnabled || query.Length == 0)
        {
            await request.WritePageAsync("Archived workflows", w.ToHtml());
            return;
        }

        var token = request.Query("next");
        ListArchivedWorkflowExecutionsResponse page;
        try
        {
            page = await request.CallAsync<ListArchivedWorkflowExecutionsRequest, ListArchivedWorkflowExecutionsResponse>(new()
            {
                Namespace = ns,
                Query = query,
                PageSize = PageSize,
                NextPageToken = token.Length > 0 ? ByteString.CopyFrom(WebEncoders.Base64UrlDecode(token)) : ByteString.Empty,
            });
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.InvalidArgument or StatusCode.FailedPrecondition)
        {
            // The archiver's own words: which field or form the query got wrong.
            w.Write($"<p class=\"error\" role=\"alert\">{e.Status.Detail}</p>");
            await request.WritePageAsync("Archived workflows", w.ToHtml(), StatusCodes.Status400BadRequest);
            return;
        }
        catch (FormatException)
        {
            w.Write($"<p class=\"error\" role=\"alert\">The page token in the URL is not valid; start from the first page.</p>");
            await request.WritePageAsync("Archived workflows", w.ToHtml(), StatusCodes.Status400BadRequest);
            return;
        }
        WriteTable(w, ns, page);
        if (!page.NextPageToken.IsEmpty)
        {
            w.Write($"<p class=\"paging\"><a href=\"{Format.ArchivalUrl(ns, query)}&amp;next={WebEncoders.Base64UrlEncode(page.NextPageToken.Span)}\" rel=\"next\">Next page →</a></p>");
        }
        await request.WritePageAsync("Archived workflows", w.ToHtml());
    }

    private static void WriteArchivalOff(HtmlWriter w, string ns, NamespaceArchival archival)
    {
        w.Write($"""
            <section class="card archival-off">
            <h2>Archival is off for namespace {ns}</h2>
            <p>Closed workflows are deleted once their retention ({archival.Retention}) has passed, and nothing keeps
            them. With archival on, each closed run's history (and its visibility record, which lists it here) is
            written to a file:// or s3:// store before it is deleted, and stays readable on this page.</p>
            <p>Archival must be enabled for the server (the config keys <code>archival:history:state</code> and
            <code>archival:visibility:state</code> with a provider, or the Helm chart's <code>archival.*</code> values),
            then for the namespace:</p>
            <pre class="mono">temporal operator namespace update --history-archival-state enabled --history-uri s3://bucket/history {ns}
            temporal operator namespace update --visibility-archival-state enabled --visibility-uri s3://bucket/visibility {ns}</pre>
            <p class="muted small">Only runs that close after that are archived.</p>
            </section>
            """);
    }

    private static void WriteVisibilityOff(HtmlWriter w, string ns, NamespaceArchival archival)
    {
        w.Write($"""
            <section class="card visibility-off">
            <h2>Visibility archival is off for namespace {ns}</h2>
            <p>Closed runs' histories are archived (to <span class="mono">{archival.HistoryUri}</span>), but not the
            visibility records that would list them here. Open an archived run by its IDs below, or turn visibility
            archival on:</p>
            <pre class="mono">temporal operator namespace update --visibility-archival-state enabled --visibility-uri s3://bucket/visibility {ns}</pre>
            </section>
            """);
    }

    private static void WriteQueryForm(HtmlWriter w, string ns, string query)
    {
        w.Write($"""
            <form class="filter" method="get" action="{Format.ArchivalUrl(ns)}">
            <label class="grow">Query <input type="text" name="query" value="{query}" placeholder="WorkflowTypeName = 'Order' AND CloseTime = '2025-01-01T00:00:00Z' AND SearchPrecision = 'Day'" spellcheck="false" autocomplete="off"></label>
            <button type="submit">Search</button>
            </form>
            <p class="muted small">The archive is searched with the forms of Temporal's archivers: <code>WorkflowId = '…'</code> or
            <code>WorkflowTypeName = '…'</code> (one of them is required), optionally with <code>StartTime</code> or
            <code>CloseTime = '2025-01-01T00:00:00Z'</code> and <code>SearchPrecision = 'Day'</code> (or <code>'Hour'</code>,
            <code>'Minute'</code>, <code>'Second'</code>), joined with AND.</p>
            """);
    }

    private static void WriteOpenForm(HtmlWriter w, string ns, string workflowId, string runId, string? error)
    {
        w.Write($"""
            <form class="filter open-archived" method="get" action="{Format.ArchivalUrl(ns)}">
            <label>Workflow ID <input type="text" name="workflowId" value="{workflowId}" spellcheck="false" autocomplete="off"></label>
            <label>Run ID <input type="text" name="runId" value="{runId}" spellcheck="false" autocomplete="off"></label>
            <button type="submit" class="secondary">Open archived run</button>
            </form>
            """);
        if (error is not null)
        {
            w.Write($"<p class=\"error\" role=\"alert\">{error}</p>");
        }
    }

    private static void WriteTable(HtmlWriter w, string ns, ListArchivedWorkflowExecutionsResponse page)
    {
        if (page.Executions.Count == 0)
        {
            w.Write($"<p class=\"empty\">No archived workflows match this query.</p>");
            return;
        }
        w.Write($"""
            <div class="scroll"><table class="runs archived">
            <thead><tr><th>Status</th><th>Workflow ID</th><th>Run ID</th><th>Type</th><th>Start</th><th>End</th></tr></thead>
            <tbody>
            """);
        foreach (var run in page.Executions)
        {
            var url = Format.ArchivedRunUrl(ns, run.Execution.WorkflowId, run.Execution.RunId);
            w.Write($"""
                <tr>
                <td>{Format.Status(run.Status)}</td>
                <td><a href="{url}">{run.Execution.WorkflowId}</a></td>
                <td class="mono small"><a href="{url}">{run.Execution.RunId}</a></td>
                <td>{run.Type?.Name}</td>
                <td>{Format.Time(run.StartTime)}</td>
                <td>{Format.Time(run.CloseTime)}</td>
                </tr>
                """);
        }
        w.Write($"</tbody></table></div>");
    }
}
