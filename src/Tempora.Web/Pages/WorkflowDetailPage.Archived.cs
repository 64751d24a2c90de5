using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Tempora.Web.Markup;
using Tempora.Web.Rendering;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Api.Workflow.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Web.Pages;

/// <summary>
/// /namespaces/{ns}/archival/{workflowId}/{runId}/history: a run read from its history alone, as GetWorkflowExecutionHistory
/// answers it from the archive once retention deleted the run. There is no DescribeWorkflowExecution for such a run,
/// so status, type and times come from its events, and there are no actions.
/// </summary>
internal static partial class WorkflowDetailPage
{
    public static async Task RenderArchivedAsync(UiRequest request)
    {
        var ns = request.RequiredNamespace;
        var workflowId = request.RouteValue("workflowId")!;
        var runId = request.RouteValue("runId")!;
        var execution = new WorkflowExecution { WorkflowId = workflowId, RunId = runId };
        var events = new List<HistoryEvent>();
        var truncated = false;
        await foreach (var page in WorkflowRun.HistoryPagesAsync(request, ns, execution))
        {
            events.AddRange(page.Events);
            if (events.Count >= WorkflowRun.MaxEventsShown)
            {
                truncated = true;
                break;
            }
        }
        if (events.Count == 0 || events[0].WorkflowExecutionStartedEventAttributes is null)
        {
            await request.WriteErrorAsync(StatusCodes.Status404NotFound, "Not found",
                $"The archive holds no history for workflow {workflowId}, run {runId}.");
            return;
        }
        var info = InfoFromHistory(execution, events);
        var run = new WorkflowRun(new DescribeWorkflowExecutionResponse { WorkflowExecutionInfo = info }, events, truncated);
        var started = events[0].WorkflowExecutionStartedEventAttributes;
        var closed = IsClose(events[^1].EventType) ? events[^1] : null;

        var w = new HtmlWriter();
        w.Write($"""
            <p class="crumbs"><a href="{Format.ArchivalUrl(ns)}">Archive</a> / {workflowId}</p>
            <h1 class="wf-title">{Format.Status(info.Status)} <span>{workflowId}</span> <span class="muted small">archived</span></h1>
            <section class="card archived-summary">
            <h2>Summary</h2>
            <dl class="summary">
            <dt>Workflow type</dt><dd>{info.Type.Name}</dd>
            <dt>Run ID</dt><dd class="mono">{runId}</dd>
            <dt>Task queue</dt><dd>{info.TaskQueue}</dd>
            <dt>Start</dt><dd>{Format.Time(info.StartTime)}</dd>
            <dt>End</dt><dd>{Format.Time(info.CloseTime)}</dd>
            <dt>Duration</dt><dd>{(info.CloseTime is null ? "–" : Format.Duration(info.CloseTime.ToDateTimeOffset() - info.StartTime.ToDateTimeOffset()))}</dd>
            <dt>History</dt><dd>{events.Count}{(truncated ? "+" : "")} events</dd>
            </dl>
            <h3>Input</h3>{PayloadView.Render(started.Input)}
            """);
        WriteOutcome(w, closed);
        w.Write($"<p class=\"small\"><a href=\"{Format.ArchivedRunUrl(ns, workflowId, runId)}/json\" download>Download history (JSON)</a></p>");
        w.Write($"</section>");
        WriteTimeline(w, run);
        WriteEvents(w, run, new ProtoView(ns));
        await request.WritePageAsync($"{workflowId} ({info.Type.Name}, archived)", w.ToHtml());
    }

    /// <summary>
    /// GET of a live run's page: when the run is gone but the namespace archived histories, the same ids are opened
    /// from the archive, so links to runs that retention deleted keep working.
    /// </summary>
    private static async Task RenderOrArchivedAsync(UiRequest request)
    {
        try
        {
            await RenderAsync(request, Notice(request.Query("done")), StatusCodes.Status200OK);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound && !request.Http.Response.HasStarted)
        {
            NamespaceArchival? archival;
            try
            {
                archival = await NamespaceArchival.LoadAsync(request, request.RequiredNamespace);
            }
            catch (RpcException)
            {
                archival = null;
            }
            // As the frontend decides: a namespace that has (had) a history archival URI serves archived histories.
            if (archival is not { HistoryUri.Length: > 0 })
            {
                throw;
            }
            request.Http.Response.Redirect(Format.ArchivedRunUrl(request.RequiredNamespace, request.RouteValue("workflowId")!, request.RouteValue("runId")!));
        }
    }

    /// <summary>What DescribeWorkflowExecution would have said of the run, from its first and last events.</summary>
    private static WorkflowExecutionInfo InfoFromHistory(WorkflowExecution execution, List<HistoryEvent> events)
    {
        var started = events[0].WorkflowExecutionStartedEventAttributes;
        var last = events[^1];
        return new WorkflowExecutionInfo
        {
            Execution = execution,
            Type = started.WorkflowType,
            TaskQueue = started.TaskQueue?.Name ?? "",
            StartTime = events[0].EventTime,
            CloseTime = IsClose(last.EventType) ? last.EventTime : null,
            Status = StatusOf(last.EventType),
            HistoryLength = events.Count,
        };
    }

    private static WorkflowExecutionStatus StatusOf(EventType closeEvent) => closeEvent switch
    {
        EventType.WorkflowExecutionCompleted => WorkflowExecutionStatus.Completed,
        EventType.WorkflowExecutionFailed => WorkflowExecutionStatus.Failed,
        EventType.WorkflowExecutionTimedOut => WorkflowExecutionStatus.TimedOut,
        EventType.WorkflowExecutionTerminated => WorkflowExecutionStatus.Terminated,
        EventType.WorkflowExecutionCanceled => WorkflowExecutionStatus.Canceled,
        EventType.WorkflowExecutionContinuedAsNew => WorkflowExecutionStatus.ContinuedAsNew,
        // An archive holds closed runs only; a history without its close event is shown as it is.
        _ => WorkflowExecutionStatus.Unspecified,
    };
}
