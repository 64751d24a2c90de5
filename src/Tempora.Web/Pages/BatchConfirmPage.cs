using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Tempora.Web.Markup;
using Tempora.Web.Rendering;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Web.Pages;

/// <summary>
/// The confirmation of a many-workflows action, rendered from the list's post: what would be done to how many
/// workflows (the selected ids, or the count and the exact query the batch would get), with the operation's inputs.
/// Rendering it changes nothing; its own form posts the same selection back with <c>confirmed=1</c>.
/// </summary>
internal static class BatchConfirmPage
{
    public static async Task RenderAsync(UiRequest request, string ns, BatchOperationKind kind, BatchSelection selection,
        IFormCollection form, Html banner, int statusCode)
    {
        var w = new HtmlWriter();
        WriteHeading(w, ns, kind, selection.Filter, banner);
        long count;
        if (selection.Executions is { } executions)
        {
            count = executions.Count;
            w.Write($"<p class=\"batch-count\">{kind.Verb} <b>{count}</b> selected workflow{Plural(count)}:</p><ul class=\"batch-executions\">");
            foreach (var execution in executions)
            {
                w.Write($"<li><a href=\"{Format.RunUrl(ns, execution.WorkflowId, execution.RunId)}\">{execution.WorkflowId}</a> <span class=\"mono small muted\">{execution.RunId}</span></li>");
            }
            w.Write($"</ul>");
        }
        else
        {
            var query = selection.VisibilityQuery(kind);
            if (query.Length == 0)
            {
                // Every run of the namespace: too broad to offer from a click; a query says what is meant.
                w.Write($"<p class=\"error\" role=\"alert\">{kind.Title} every workflow of the namespace? Narrow the list with a query first; then all matching it can be {kind.Name}.</p>");
                await request.WritePageAsync($"{kind.Title} workflows", w.ToHtml(), StatusCodes.Status400BadRequest);
                return;
            }
            try
            {
                count = (await request.CallAsync<CountWorkflowExecutionsRequest, CountWorkflowExecutionsResponse>(
                    new() { Namespace = ns, Query = query })).Count;
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.InvalidArgument)
            {
                w.Write($"<p class=\"error\" role=\"alert\">{e.Status.Detail}</p><pre class=\"batch-query\">{query}</pre>");
                await request.WritePageAsync($"{kind.Title} workflows", w.ToHtml(), StatusCodes.Status400BadRequest);
                return;
            }
            w.Write($"""
                <p class="batch-count">{kind.Verb} <b>{count}</b> workflow{Plural(count)} matching this query:</p>
                <pre class="batch-query">{query}</pre>
                """);
            if (kind.RunningOnly && selection.Filter.Status != "Running")
            {
                w.Write($"<p class=\"small muted\">Only running workflows can be {Past(kind)}, so the query asks for them.</p>");
            }
            if (count == 0)
            {
                w.Write($"<p class=\"empty\">No workflow matches: there is nothing to do. <a href=\"{selection.Filter.Url(ns)}\">Back to the list</a></p>");
                await request.WritePageAsync($"{kind.Title} workflows", w.ToHtml(), statusCode);
                return;
            }
        }
        WriteForm(w, ns, kind, selection, form, count);
        await request.WritePageAsync($"{kind.Title} workflows", w.ToHtml(), statusCode);
    }

    /// <summary>The list posted no row and not "all matching": say so, with the way back.</summary>
    public static Task RenderNothingSelectedAsync(UiRequest request, string ns, BatchOperationKind kind, IFormCollection form, string message)
    {
        var filter = BatchSelection.ReadFilter(form);
        var w = new HtmlWriter();
        WriteHeading(w, ns, kind, filter, Html.Of($"<p class=\"error\" role=\"alert\">{message}</p>"));
        w.Write($"<p><a href=\"{filter.Url(ns)}\">Back to the list</a></p>");
        return request.WritePageAsync($"{kind.Title} workflows", w.ToHtml(), StatusCodes.Status400BadRequest);
    }

    private static void WriteHeading(HtmlWriter w, string ns, BatchOperationKind kind, ListFilter filter, Html banner)
    {
        w.Write($"""
            <p class="crumbs"><a href="{filter.Url(ns)}">Workflows</a> / {kind.Name} many</p>
            <h1>{kind.Title} workflows</h1>
            """);
        w.Write(banner);
    }

    private static void WriteForm(HtmlWriter w, string ns, BatchOperationKind kind, BatchSelection selection, IFormCollection form, long count)
    {
        w.Write($"""
            <section class="card actions batch-confirm">
            <form method="post" action="{Format.BatchesUrl(ns)}">
            <input type="hidden" name="confirmed" value="1">
            <input type="hidden" name="operation" value="{kind.Name}">
            <input type="hidden" name="scope" value="{(selection.AllMatching ? "all" : "selected")}">
            <input type="hidden" name="filterQuery" value="{selection.Filter.Query}">
            <input type="hidden" name="filterType" value="{selection.Filter.Type}">
            <input type="hidden" name="filterStatus" value="{selection.Filter.Status}">
            """);
        foreach (var execution in selection.Executions ?? [])
        {
            w.Write($"<input type=\"hidden\" name=\"execution\" value=\"{BatchSelection.Value(execution)}\">");
        }
        if (kind == BatchOperationKind.Signal)
        {
            var spread = form["spread"] == "1" ? Html.Of($" checked") : Html.Empty;
            w.Write($"""
                <label>Signal name <input type="text" name="name" value="{form["name"].ToString()}" required spellcheck="false" autocomplete="off"></label>
                <label>Input (JSON, optional; a JSON array sends several arguments when "several" is ticked)
                <textarea name="input" rows="3" spellcheck="false" placeholder='"hello"'>{form["input"].ToString()}</textarea></label>
                <label class="inline"><input type="checkbox" name="spread" value="1"{spread}> several arguments</label>
                """);
        }
        else if (kind == BatchOperationKind.Reset)
        {
            var resetTo = form["resetTo"].ToString();
            w.Write($"""
                <label>Reset to <select name="resetTo">
                <option value="first"{Html.SelectedIf(resetTo is not ("last" or "build"))}>the first workflow task</option>
                <option value="last"{Html.SelectedIf(resetTo == "last")}>the last workflow task</option>
                <option value="build"{Html.SelectedIf(resetTo == "build")}>the first workflow task of a build (undo a bad deploy)</option>
                </select></label>
                <label>Build id (for a build's first workflow task) <input type="text" name="buildId" value="{form["buildId"].ToString()}" spellcheck="false" autocomplete="off"></label>
                <p class="small">Each run ends and a new run replays its history up to that point; signals after it are applied again. By build, a run that build never touched is left as it is (it counts as failed).</p>
                """);
        }
        w.Write($"""
            <label>Reason <input type="text" name="reason" value="{form["reason"].ToString()}" autocomplete="off" placeholder="{kind.Name} from the web UI"></label>
            <p class="small">The batch runs on the server: it goes on if this page is closed, and its page shows how far it got.</p>
            <div class="button-row">
            <button type="submit" class="{kind.ButtonClass}">{kind.Title} {count} workflow{Plural(count)}</button>
            <a class="button secondary" href="{selection.Filter.Url(ns)}">Back to the list</a>
            </div>
            </form>
            </section>
            """);
    }

    private static string Plural(long count) => count == 1 ? "" : "s";


    private static string Past(BatchOperationKind kind) => kind.Name switch
    {
        "cancel" => "canceled",
        "signal" => "signalled",
        _ => kind.Name + "d",
    };
}
