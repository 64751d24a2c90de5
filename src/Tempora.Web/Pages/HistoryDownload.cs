using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Temporalio.Api.Common.V1;
using Temporalio.Api.History.V1;

namespace Tempora.Web.Pages;

/// <summary>
/// .../history/json: the run's whole history as the protobuf JSON of <see cref="History"/>, the format
/// <c>temporal workflow show --output json</c> writes and the SDKs' replayers read.
/// </summary>
internal static class HistoryDownload
{
    public static async Task WriteAsync(UiRequest request)
    {
        var ns = request.RequiredNamespace;
        var workflowId = request.RouteValue("workflowId")!;
        var runId = request.RouteValue("runId")!;
        var history = new History();
        // Every page is read before the first byte goes out, so that a failure becomes an error page, not half a file.
        await foreach (var page in WorkflowRun.HistoryPagesAsync(request, ns, new WorkflowExecution { WorkflowId = workflowId, RunId = runId }))
        {
            history.Events.Add(page.Events);
        }
        var response = request.Http.Response;
        response.ContentType = "application/json; charset=utf-8";
        var fileName = string.Concat($"{workflowId}_{runId}.json".Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));
        // Header values are ASCII (Kestrel refuses others): an id in another script goes in filename*, UTF-8 encoded.
        var disposition = new ContentDispositionHeaderValue("attachment");
        disposition.SetHttpFileName(fileName);
        response.Headers.ContentDisposition = disposition.ToString();
        await response.WriteAsync(JsonFormatter.Default.Format(history), request.Aborted);
    }
}
