using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.WebUtilities;
using Tempora.Web.Markup;
using Tempora.Web.Rendering;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Workflow.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Web.Pages;

/// <summary>
/// /namespaces/{ns}/workflows: runs matching a list filter (Temporal's query language, evaluated by the server),
/// narrowed by the status and type quick filters, a page at a time, with counts by status.
/// </summary>
internal static class WorkflowListPage
{
    private const int PageSize = 50;

    private static readonly WorkflowExecutionStatus[] Statuses =
    [
        WorkflowExecutionStatus.Running, WorkflowExecutionStatus.Completed, WorkflowExecutionStatus.Failed,
        WorkflowExecutionStatus.Canceled, WorkflowExecutionStatus.Terminated, WorkflowExecutionStatus.ContinuedAsNew,
        WorkflowExecutionStatus.TimedOut,
    ];

    public static async Task RenderAsync(UiRequest request)
    {
        var ns = request.RequiredNamespace;
        var filter = new ListFilter(request.Query("query").Trim(), request.Query("status").Trim(), request.Query("type").Trim());
        var token = request.Query("next");

        var w = new HtmlWriter();
        w.Write($"<h1>Workflows</h1>");
        WriteFilterForm(w, ns, filter);

        ListWorkflowExecutionsResponse? page = null;
        CountWorkflowExecutionsResponse? counts = null;
        RpcException? error = null;
        try
        {
            page = await request.CallAsync<ListWorkflowExecutionsRequest, ListWorkflowExecutionsResponse>(new()
            {
                Namespace = ns,
                Query = filter.Combined,
                PageSize = PageSize,
                NextPageToken = token.Length > 0 ? ByteString.CopyFrom(WebEncoders.Base64UrlDecode(token)) : ByteString.Empty,
            });
            // Counts ignore the status quick filter: they are what the status chips choose between.
            var countQuery = ListFilter.Join(filter.Query, filter.TypeClause);
            counts = await request.CallAsync<CountWorkflowExecutionsRequest, CountWorkflowExecutionsResponse>(new()
            {
                Namespace = ns,
                Query = (countQuery.Length > 0 ? countQuery + " " : "") + "GROUP BY ExecutionStatus",
            });
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.InvalidArgument or StatusCode.NotFound)
        {
            error = e;
        }
        catch (FormatException)
        {
            error = new RpcException(new Status(StatusCode.InvalidArgument, "The page token in the URL is not valid; start from the first page."));
        }

        if (counts is not null)
        {
            WriteStatusChips(w, ns, filter, counts);
        }
        if (error is not null)
        {
            w.Write($"<p class=\"error\" role=\"alert\">{error.Status.Detail}</p>");
            await request.WritePageAsync("Workflows", w.ToHtml(),
                error.StatusCode == StatusCode.NotFound ? 404 : 400);
            return;
        }
        if (page!.Executions.Count > 0)
        {
            WriteBatchBar(w, ns, filter, MatchingCount(filter, counts!));
        }
        WriteTable(w, ns, page, filter);
        PagingLinks.Write(w, page!.NextPageToken, onLaterPage: token.Length > 0, next => filter.Url(ns, next));
        await request.WritePageAsync("Workflows", w.ToHtml());
    }

    private static void WriteFilterForm(HtmlWriter w, string ns, ListFilter filter)
    {
        w.Write($"""
            <form class="filter" method="get" action="{Format.WorkflowsUrl(ns)}">
            <label class="grow">Query <input type="text" name="query" value="{filter.Query}" placeholder="WorkflowType = 'Order' AND StartTime > '2025-01-01T00:00:00Z'" spellcheck="false" autocomplete="off"></label>
            <label>Type <input type="text" name="type" value="{filter.Type}" placeholder="any" spellcheck="false"></label>
            <label>Status <select name="status"><option value="">any</option>
            """);
        foreach (var status in Statuses)
        {
            var name = Format.StatusName(status);
            var selected = Html.SelectedIf(name == filter.Status);
            w.Write($"<option value=\"{name}\"{selected}>{name}</option>");
        }
        w.Write($"""
            </select></label>
            <button type="submit">Search</button>
            <a class="button secondary" href="{Format.WorkflowsUrl(ns)}">Clear</a>
            <label class="inline"><input type="checkbox" data-autorefresh> Auto-refresh</label>
            </form>
            """);
    }

    private static void WriteStatusChips(HtmlWriter w, string ns, ListFilter filter, CountWorkflowExecutionsResponse counts)
    {
        var byStatus = counts.Groups.ToDictionary(
            g => g.GroupValues.Count > 0 ? PayloadView.Summary(new() { Payloads_ = { g.GroupValues[0] } }).Trim('"') : "",
            g => g.Count, StringComparer.Ordinal);
        w.Write($"<nav class=\"chips\" aria-label=\"Counts by status\">");
        var allClass = filter.Status.Length == 0 ? Html.Of($" active") : Html.Empty;
        w.Write($"<a class=\"chip{allClass}\" href=\"{(filter with { Status = "" }).Url(ns)}\">All <b>{counts.Count}</b></a>");
        foreach (var status in Statuses)
        {
            var name = Format.StatusName(status);
            var count = byStatus.GetValueOrDefault(name);
            var active = name == filter.Status ? Html.Of($" active") : Html.Empty;
            w.Write($"<a class=\"chip status-{name.ToLowerInvariant()}{active}\" href=\"{(filter with { Status = name }).Url(ns)}\">{name} <b>{count}</b></a>");
        }
        w.Write($"</nav>");
    }

    /// <summary>
    /// The many-workflows actions: each button posts the rows ticked in the table (their checkboxes belong to this
    /// form through form="batch") or the whole filter to the confirmation page (<see cref="BatchActions"/>), which
    /// shows what would happen; nothing changes before it is confirmed there.
    /// </summary>
    private static void WriteBatchBar(HtmlWriter w, string ns, ListFilter filter, long matching)
    {
        w.Write($"""
            <form id="batch" class="batch-bar" method="post" action="{Format.BatchesUrl(ns)}">
            <input type="hidden" name="filterQuery" value="{filter.Query}">
            <input type="hidden" name="filterType" value="{filter.Type}">
            <input type="hidden" name="filterStatus" value="{filter.Status}">
            <span class="muted">Apply to</span>
            <label class="inline"><input type="radio" name="scope" value="selected" checked> the selected rows</label>
            <label class="inline"><input type="radio" name="scope" value="all"> all {matching} matching the filter</label>
            <span class="batch-buttons">
            """);
        foreach (var operation in BatchOperationKind.All)
        {
            w.Write($"<button type=\"submit\" name=\"operation\" value=\"{operation.Name}\" class=\"{operation.ButtonClass}\">{operation.Title}…</button>");
        }
        w.Write($"</span></form>");
    }

    /// <summary>How many runs the list's filter matches: the status chip's count, or all of them.</summary>
    private static long MatchingCount(ListFilter filter, CountWorkflowExecutionsResponse counts) =>
        filter.Status.Length == 0
            ? counts.Count
            : counts.Groups.Where(g => g.GroupValues.Count > 0
                    && PayloadView.Summary(new() { Payloads_ = { g.GroupValues[0] } }).Trim('"') == filter.Status)
                .Sum(g => g.Count);

    private static void WriteTable(HtmlWriter w, string ns, ListWorkflowExecutionsResponse page, ListFilter filter)
    {
        if (page.Executions.Count == 0)
        {
            w.Write(filter.IsEmpty
                ? Html.Of($"<p class=\"empty\">No workflows in namespace <b>{ns}</b> yet. Start one with an SDK or <code>temporal workflow start</code>; it shows up here.</p>")
                : Html.Of($"<p class=\"empty\">No workflows match this filter.</p>"));
            return;
        }
        w.Write($"""
            <div class="scroll"><table class="runs">
            <thead><tr><th><input type="checkbox" data-select-all="execution" aria-label="Select every row of this page"></th><th>Status</th><th>Workflow ID</th><th>Run ID</th><th>Type</th><th>Start</th><th>End</th><th>Task queue</th></tr></thead>
            <tbody>
            """);
        foreach (var run in page.Executions)
        {
            WriteRow(w, ns, run, filter);
        }
        w.Write($"</tbody></table></div>");
    }

    private static void WriteRow(HtmlWriter w, string ns, WorkflowExecutionInfo run, ListFilter filter)
    {
        var url = Format.RunUrl(ns, run.Execution.WorkflowId, run.Execution.RunId);
        w.Write($"""
            <tr>
            <td><input type="checkbox" name="execution" form="batch" value="{BatchSelection.Value(run.Execution)}" aria-label="Select {run.Execution.WorkflowId}"></td>
            <td>{Format.Status(run.Status)}</td>
            <td><a href="{url}">{run.Execution.WorkflowId}</a></td>
            <td class="mono small"><a href="{url}">{run.Execution.RunId}</a></td>
            <td><a href="{(filter with { Type = run.Type.Name }).Url(ns)}" title="Show only this type">{run.Type.Name}</a></td>
            <td>{Format.Time(run.StartTime)}</td>
            <td>{Format.Time(run.CloseTime)}</td>
            <td><a href="{Format.TaskQueueUrl(ns, run.TaskQueue)}">{run.TaskQueue}</a></td>
            </tr>
            """);
    }
}
