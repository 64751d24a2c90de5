using Google.Protobuf;
using Microsoft.AspNetCore.WebUtilities;
using Tempora.Web.Markup;
using Tempora.Web.Rendering;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Web.Pages;

/// <summary>/namespaces/{ns}/batch-operations: the namespace's batch operations (ListBatchOperations), a page at a time.</summary>
internal static class BatchListPage
{
    private const int PageSize = 50;

    public static async Task RenderAsync(UiRequest request)
    {
        var ns = request.RequiredNamespace;
        var token = request.Query("next");
        ListBatchOperationsResponse page;
        try
        {
            page = await request.CallAsync<ListBatchOperationsRequest, ListBatchOperationsResponse>(new()
            {
                Namespace = ns,
                PageSize = PageSize,
                NextPageToken = token.Length > 0 ? ByteString.CopyFrom(WebEncoders.Base64UrlDecode(token)) : ByteString.Empty,
            });
        }
        catch (FormatException)
        {
            await request.WriteErrorAsync(400, "Request refused", "The page token in the URL is not valid; start from the first page.");
            return;
        }

        var w = new HtmlWriter();
        w.Write($"<h1>Batch operations</h1>");
        if (page.OperationInfo.Count == 0)
        {
            w.Write($"<p class=\"empty\">No batch operations in namespace <b>{ns}</b>. Tick workflows on the <a href=\"{Format.WorkflowsUrl(ns)}\">workflow list</a> (or take all matching a query) to terminate, cancel, signal or reset them at once.</p>");
        }
        else
        {
            w.Write($"""
                <div class="scroll"><table class="batches">
                <thead><tr><th>State</th><th>Job ID</th><th>Start</th><th>Close</th></tr></thead>
                <tbody>
                """);
            foreach (var operation in page.OperationInfo)
            {
                w.Write($"""
                    <tr>
                    <td>{BatchView.State(operation.State)}</td>
                    <td><a href="{Format.BatchUrl(ns, operation.JobId)}">{operation.JobId}</a></td>
                    <td>{Format.Time(operation.StartTime)}</td>
                    <td>{Format.Time(operation.CloseTime)}</td>
                    </tr>
                    """);
            }
            w.Write($"</tbody></table></div>");
        }
        if (!page.NextPageToken.IsEmpty)
        {
            w.Write($"<p class=\"paging\"><a href=\"{Format.BatchesUrl(ns)}?next={WebEncoders.Base64UrlEncode(page.NextPageToken.Span)}\" rel=\"next\">Next page →</a> <a href=\"{Format.BatchesUrl(ns)}\">First page</a></p>");
        }
        else if (token.Length > 0)
        {
            w.Write($"<p class=\"paging\"><a href=\"{Format.BatchesUrl(ns)}\">First page</a></p>");
        }
        await request.WritePageAsync("Batch operations", w.ToHtml());
    }
}
