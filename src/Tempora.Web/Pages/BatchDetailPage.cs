using Microsoft.AspNetCore.Http;
using Tempora.Web.Markup;
using Tempora.Web.Rendering;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Web.Pages;

/// <summary>
/// /namespaces/{ns}/batch-operations/{jobId}: one batch (DescribeBatchOperation): what it does, why and by whom,
/// how far it got, and a Stop button while it runs. While the batch runs, site.js reloads the page every few
/// seconds (not while a field is being filled in); without the script the Refresh link does it.
/// </summary>
internal static class BatchDetailPage
{
    private const int RefreshSeconds = 2;

    public static Task RenderAsync(UiRequest request) => RenderAsync(request, Notice(request.Query("done")), StatusCodes.Status200OK);

    public static async Task RenderAsync(UiRequest request, Html banner, int statusCode)
    {
        var ns = request.RequiredNamespace;
        var jobId = request.RouteValue("jobId")!;
        var batch = await request.CallAsync<DescribeBatchOperationRequest, DescribeBatchOperationResponse>(new() { Namespace = ns, JobId = jobId });
        // Not on the answer to a refused stop: a reload would post the form again.
        var content = Render(ns, jobId, batch, banner, reloads: statusCode == StatusCodes.Status200OK);
        await request.WritePageAsync($"Batch {jobId}", content, statusCode);
    }

    /// <param name="reloads">Whether a running batch's page reloads itself (site.js, data-live).</param>
    public static Html Render(string ns, string jobId, DescribeBatchOperationResponse batch, Html banner, bool reloads)
    {
        var running = batch.State == BatchOperationState.Running;

        var w = new HtmlWriter();
        w.Write($"""
            <p class="crumbs"><a href="{Format.BatchesUrl(ns)}">Batch operations</a> / {jobId}</p>
            <h1 class="wf-title">{BatchView.State(batch.State)} <span>{jobId}</span></h1>
            """);
        w.Write(banner);
        var done = batch.CompleteOperationCount + batch.FailureOperationCount;
        var total = Math.Max(batch.TotalOperationCount, done);
        w.Write($"""
            <section class="card">
            <h2>Progress</h2>
            <progress class="batch-progress" max="{Math.Max(total, 1)}" value="{done}" aria-label="Operations done">{done} of {total}</progress>
            <dl class="summary batch-counts">
            <dt>Total</dt><dd class="batch-total">{batch.TotalOperationCount}</dd>
            <dt>Completed</dt><dd class="batch-completed">{batch.CompleteOperationCount}</dd>
            <dt>Failed</dt><dd class="batch-failed">{batch.FailureOperationCount}</dd>
            </dl>
            """);
        if (running && reloads)
        {
            w.Write($"<p class=\"small muted\" data-live=\"{RefreshSeconds * 1000}\">Running: this page refreshes every {RefreshSeconds} s. <a href=\"{Format.BatchUrl(ns, jobId)}\">Refresh</a></p>");
        }
        w.Write($"""
            </section>
            <section class="card">
            <h2>Summary</h2>
            <dl class="summary">
            <dt>Operation</dt><dd class="batch-type">{BatchView.Type(batch.OperationType)}</dd>
            <dt>Reason</dt><dd>{batch.Reason}</dd>
            <dt>Identity</dt><dd>{batch.Identity}</dd>
            <dt>Start</dt><dd>{Format.Time(batch.StartTime)}</dd>
            <dt>Close</dt><dd>{Format.Time(batch.CloseTime)}</dd>
            </dl>
            </section>
            """);
        if (running)
        {
            w.Write($"""
                <section class="card actions"><h2>Actions</h2>
                <details open><summary>Stop</summary>
                <form method="post" action="{Format.BatchUrl(ns, jobId)}/stop" data-confirm="Stop the batch {jobId}? Workflows it already handled stay as they are.">
                <label>Reason <input type="text" name="reason" autocomplete="off" placeholder="stopped from the web UI"></label>
                <button type="submit" class="danger">Stop batch</button>
                </form></details>
                </section>
                """);
        }
        return w.ToHtml();
    }

    private static Html Notice(string done) => done switch
    {
        "start" => Html.Of($"<p class=\"notice\" role=\"status\">Batch started.</p>"),
        "stop" => Html.Of($"<p class=\"notice\" role=\"status\">Batch stopped.</p>"),
        _ => Html.Empty,
    };
}
