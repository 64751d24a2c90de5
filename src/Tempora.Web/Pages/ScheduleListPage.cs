using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.WebUtilities;
using Tempora.Web.Markup;
using Tempora.Web.Rendering;
using Temporalio.Api.Schedule.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Web.Pages;

/// <summary>
/// /namespaces/{ns}/schedules: the schedules matching a list filter (Temporal's query language over the schedules'
/// search attributes, evaluated by the server), a page at a time: status, workflow type, spec, next and last action.
/// </summary>
internal static class ScheduleListPage
{
    private const int PageSize = 50;

    public static async Task RenderAsync(UiRequest request)
    {
        var ns = request.RequiredNamespace;
        var query = request.Query("query").Trim();
        var token = request.Query("next");

        var w = new HtmlWriter();
        w.Write($"<h1>Schedules</h1>");
        w.Write(Notice(request.Query("done"), request.Query("id")));
        w.Write($"""
            <form class="filter" method="get" action="{Format.SchedulesUrl(ns)}">
            <label class="grow">Query <input type="text" name="query" value="{query}" placeholder="TemporalSchedulePaused = true" spellcheck="false" autocomplete="off"></label>
            <button type="submit">Search</button>
            <a class="button secondary" href="{Format.SchedulesUrl(ns)}">Clear</a>
            </form>
            """);

        ListSchedulesResponse page;
        try
        {
            page = await request.CallAsync<ListSchedulesRequest, ListSchedulesResponse>(new()
            {
                Namespace = ns,
                Query = query,
                MaximumPageSize = PageSize,
                NextPageToken = token.Length > 0 ? ByteString.CopyFrom(WebEncoders.Base64UrlDecode(token)) : ByteString.Empty,
            });
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.InvalidArgument or StatusCode.NotFound)
        {
            // As the workflow list: the message above the box that holds the query to fix.
            w.Write($"<p class=\"error\" role=\"alert\">{e.Status.Detail}</p>");
            await request.WritePageAsync("Schedules", w.ToHtml(), e.StatusCode == StatusCode.NotFound ? 404 : 400);
            return;
        }
        catch (FormatException)
        {
            w.Write($"<p class=\"error\" role=\"alert\">The page token in the URL is not valid; start from the first page.</p>");
            await request.WritePageAsync("Schedules", w.ToHtml(), 400);
            return;
        }

        WriteTable(w, ns, page, query);
        PagingLinks.Write(w, page.NextPageToken, onLaterPage: token.Length > 0, next => ListUrl(ns, query, next));
        await request.WritePageAsync("Schedules", w.ToHtml());
    }

    private static Html Notice(string done, string scheduleId) => done == "delete"
        ? Html.Of($"<p class=\"notice\" role=\"status\">Schedule {scheduleId} deleted. Workflows it started keep running.</p>")
        : Html.Empty;

    /// <summary>The table of one page of schedules, or what to do when there is none.</summary>
    public static void WriteTable(HtmlWriter w, string ns, ListSchedulesResponse page, string query)
    {
        if (page.Schedules.Count == 0)
        {
            w.Write(query.Length == 0
                ? Html.Of($"<p class=\"empty\">No schedules in namespace <b>{ns}</b> yet. Create one with an SDK or <code>temporal schedule create</code>; it shows up here.</p>")
                : Html.Of($"<p class=\"empty\">No schedules match this query.</p>"));
            return;
        }
        w.Write($"""
            <div class="scroll"><table class="schedules">
            <thead><tr><th>Status</th><th>Schedule ID</th><th>Workflow type</th><th>Spec</th><th>Next run</th><th>Last action</th></tr></thead>
            <tbody>
            """);
        foreach (var entry in page.Schedules)
        {
            var info = entry.Info ?? new ScheduleListInfo();
            w.Write($"""
                <tr>
                <td>{ScheduleView.State(info.Paused)}</td>
                <td><a href="{Format.ScheduleUrl(ns, entry.ScheduleId)}">{entry.ScheduleId}</a></td>
                <td>{info.WorkflowType?.Name}</td>
                <td class="spec">{ScheduleSpecText.Summary(info.Spec)}</td>
                <td>{Format.Time(info.FutureActionTimes.FirstOrDefault())}</td>
                <td>{LastAction(ns, info)}</td>
                </tr>
                """);
        }
        w.Write($"</tbody></table></div>");
    }

    private static Html LastAction(string ns, ScheduleListInfo info)
    {
        if (info.RecentActions.Count == 0)
        {
            return Html.Of($"<span class=\"muted\">none yet</span>");
        }
        var last = info.RecentActions.MaxBy(a => a.ActualTime?.ToDateTimeOffset());
        return last?.StartWorkflowResult is { } run
            ? Html.Of($"<a href=\"{Format.RunUrl(ns, run.WorkflowId, run.RunId)}\">{Format.Time(last.ActualTime)}</a>")
            : Format.Time(last?.ActualTime);
    }

    private static string ListUrl(string ns, string query, string? next)
    {
        var parameters = new List<string>();
        if (query.Length > 0)
        {
            parameters.Add("query=" + Uri.EscapeDataString(query));
        }
        if (next is not null)
        {
            parameters.Add("next=" + Uri.EscapeDataString(next));
        }
        return Format.SchedulesUrl(ns) + (parameters.Count > 0 ? "?" + string.Join('&', parameters) : "");
    }
}
