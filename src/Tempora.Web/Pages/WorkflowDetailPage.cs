using Microsoft.AspNetCore.Http;
using Tempora.Web.Markup;
using Tempora.Web.Rendering;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Web.Pages;

/// <summary>
/// /namespaces/{ns}/workflows/{workflowId}/{runId}/history: the run's summary, what it waits on, its history as a
/// timeline and as an event list, and the actions (signal, query, cancel, terminate, reset).
/// </summary>
internal static partial class WorkflowDetailPage
{
    /// <summary>/namespaces/{ns}/workflows/{workflowId}: the latest run of the id.</summary>
    public static async Task RedirectToLatestRunAsync(UiRequest request)
    {
        var ns = request.RequiredNamespace;
        var workflowId = request.RouteValue("workflowId")!;
        var description = await request.CallAsync<DescribeWorkflowExecutionRequest, DescribeWorkflowExecutionResponse>(
            new() { Namespace = ns, Execution = new WorkflowExecution { WorkflowId = workflowId } });
        request.Http.Response.Redirect(Format.RunUrl(ns, workflowId, description.WorkflowExecutionInfo.Execution.RunId));
    }

    public static Task RenderAsync(UiRequest request) => RenderOrArchivedAsync(request);

    /// <summary>The page with a banner on top (an action's outcome or a query's result).</summary>
    public static async Task RenderAsync(UiRequest request, Html banner, int statusCode)
    {
        var ns = request.RequiredNamespace;
        var workflowId = request.RouteValue("workflowId")!;
        var runId = request.RouteValue("runId")!;
        var run = await WorkflowRun.LoadAsync(request, ns, workflowId, runId);
        var view = new ProtoView(ns);

        var w = new HtmlWriter();
        var info = run.Description.WorkflowExecutionInfo;
        w.Write($"""
            <p class="crumbs"><a href="{Format.WorkflowsUrl(ns)}">Workflows</a> / {workflowId}</p>
            <h1 class="wf-title">{Format.Status(info.Status)} <span>{workflowId}</span></h1>
            """);
        w.Write(banner);
        WriteSummary(w, ns, run, view);
        WritePending(w, ns, run);
        WriteActions(w, ns, run);
        WriteTimeline(w, run);
        WriteEvents(w, run, view);
        await request.WritePageAsync($"{workflowId} ({info.Type.Name})", w.ToHtml(), statusCode);
    }

    private static Html Notice(string done) => done switch
    {
        "signal" => Html.Of($"<p class=\"notice\" role=\"status\">Signal sent.</p>"),
        "cancel" => Html.Of($"<p class=\"notice\" role=\"status\">Cancellation requested; the workflow decides how to wind down.</p>"),
        "terminate" => Html.Of($"<p class=\"notice\" role=\"status\">Workflow terminated.</p>"),
        "reset" => Html.Of($"<p class=\"notice\" role=\"status\">Workflow reset: this is the new run.</p>"),
        "activity-pause" => Html.Of($"<p class=\"notice\" role=\"status\">Activity paused.</p>"),
        "activity-unpause" => Html.Of($"<p class=\"notice\" role=\"status\">Activity unpaused.</p>"),
        "activity-reset" => Html.Of($"<p class=\"notice\" role=\"status\">Activity reset.</p>"),
        _ => Html.Empty,
    };

    private static void WriteSummary(HtmlWriter w, string ns, WorkflowRun run, ProtoView view)
    {
        var info = run.Description.WorkflowExecutionInfo;
        var started = run.Events.FirstOrDefault()?.WorkflowExecutionStartedEventAttributes;
        var closed = run.Events.LastOrDefault() is { } last && IsClose(last.EventType) ? last : null;
        var end = info.CloseTime?.ToDateTimeOffset() ?? DateTimeOffset.UtcNow;
        var execution = info.Execution;

        w.Write($"""
            <section class="card">
            <h2>Summary</h2>
            <dl class="summary">
            <dt>Workflow type</dt><dd><a href="{Format.ListUrl(ns, $"WorkflowType = {Format.Quote(info.Type.Name)}")}">{info.Type.Name}</a></dd>
            <dt>Run ID</dt><dd class="mono">{execution.RunId}</dd>
            <dt>Task queue</dt><dd><a href="{Format.TaskQueueUrl(ns, info.TaskQueue)}">{info.TaskQueue}</a></dd>
            <dt>Start</dt><dd>{Format.Time(info.StartTime)}</dd>
            <dt>End</dt><dd>{Format.Time(info.CloseTime)}</dd>
            <dt>Duration</dt><dd>{Format.Duration(end - info.StartTime.ToDateTimeOffset())}{(info.CloseTime is null ? " so far" : "")}</dd>
            <dt>History</dt><dd>{info.HistoryLength} events</dd>
            """);
        if (started is not null)
        {
            if (started.Attempt > 1)
            {
                w.Write($"<dt>Attempt</dt><dd>{started.Attempt}</dd>");
            }
            if (started.CronSchedule.Length > 0)
            {
                w.Write($"<dt>Cron</dt><dd class=\"mono\">{started.CronSchedule}</dd>");
            }
        }
        if (info.ParentExecution is { } parent)
        {
            var parentNs = started?.ParentWorkflowNamespace is { Length: > 0 } name ? name : ns;
            w.Write($"<dt>Parent</dt><dd><a href=\"{Format.RunUrl(parentNs, parent.WorkflowId, parent.RunId)}\">{parent.WorkflowId}</a></dd>");
        }
        WriteChain(w, ns, execution, started, closed);
        WriteVersioning(w, ns, info);
        w.Write($"</dl>");

        w.Write($"<h3>Input</h3>{PayloadView.Render(started?.Input)}");
        WriteOutcome(w, closed);
        if (info.Memo is { Fields.Count: > 0 } memo)
        {
            w.Write($"<h3>Memo</h3>{ProtoView.PayloadMap(memo.Fields)}");
        }
        if (info.SearchAttributes is { IndexedFields.Count: > 0 } attributes)
        {
            w.Write($"<h3>Search attributes</h3>{ProtoView.PayloadMap(attributes.IndexedFields)}");
        }
        WriteResetPoints(w, ns, execution, info);
        WriteChildren(w, ns, run);
        w.Write($"</section>");
    }

    /// <summary>Continue-as-new and retry chain: the first run, the one before and the one after this run.</summary>
    private static void WriteChain(HtmlWriter w, string ns, WorkflowExecution execution, WorkflowExecutionStartedEventAttributes? started, HistoryEvent? closed)
    {
        var previous = started?.ContinuedExecutionRunId;
        var next = closed?.WorkflowExecutionContinuedAsNewEventAttributes?.NewExecutionRunId
            ?? closed?.WorkflowExecutionFailedEventAttributes?.NewExecutionRunId
            ?? closed?.WorkflowExecutionTimedOutEventAttributes?.NewExecutionRunId
            ?? closed?.WorkflowExecutionCompletedEventAttributes?.NewExecutionRunId;
        if (started is { FirstExecutionRunId.Length: > 0 } && started.FirstExecutionRunId != execution.RunId)
        {
            w.Write($"<dt>First run</dt><dd><a class=\"mono\" href=\"{Format.RunUrl(ns, execution.WorkflowId, started.FirstExecutionRunId)}\">{started.FirstExecutionRunId}</a></dd>");
        }
        if (!string.IsNullOrEmpty(previous))
        {
            w.Write($"<dt>Previous run</dt><dd><a class=\"mono\" href=\"{Format.RunUrl(ns, execution.WorkflowId, previous)}\">{previous}</a></dd>");
        }
        if (!string.IsNullOrEmpty(next))
        {
            w.Write($"<dt>Next run</dt><dd><a class=\"mono\" href=\"{Format.RunUrl(ns, execution.WorkflowId, next)}\">{next}</a></dd>");
        }
        w.Write($"<dt>Latest run</dt><dd><a href=\"/namespaces/{Format.Segment(ns)}/workflows/{Format.Segment(execution.WorkflowId)}\">latest run of this id</a></dd>");
    }

    private static void WriteOutcome(HtmlWriter w, HistoryEvent? closed)
    {
        switch (closed?.AttributesCase)
        {
            case HistoryEvent.AttributesOneofCase.WorkflowExecutionCompletedEventAttributes:
                w.Write($"<h3>Result</h3>{PayloadView.Render(closed.WorkflowExecutionCompletedEventAttributes.Result)}");
                break;
            case HistoryEvent.AttributesOneofCase.WorkflowExecutionFailedEventAttributes:
                w.Write($"<h3>Failure</h3>{FailureView.Render(closed.WorkflowExecutionFailedEventAttributes.Failure)}");
                break;
            case HistoryEvent.AttributesOneofCase.WorkflowExecutionTimedOutEventAttributes:
                w.Write($"<h3>Timed out</h3><p>The run passed its run or execution timeout.</p>");
                break;
            case HistoryEvent.AttributesOneofCase.WorkflowExecutionTerminatedEventAttributes:
                var terminated = closed.WorkflowExecutionTerminatedEventAttributes;
                w.Write($"<h3>Terminated</h3><p>Reason: {(terminated.Reason.Length > 0 ? terminated.Reason : "none given")}{(terminated.Identity.Length > 0 ? $" (by {terminated.Identity})" : "")}</p>");
                if (terminated.Details is { Payloads_.Count: > 0 })
                {
                    w.Write(PayloadView.Render(terminated.Details));
                }
                break;
            case HistoryEvent.AttributesOneofCase.WorkflowExecutionCanceledEventAttributes:
                w.Write($"<h3>Canceled</h3>{PayloadView.Render(closed.WorkflowExecutionCanceledEventAttributes.Details)}");
                break;
            case HistoryEvent.AttributesOneofCase.WorkflowExecutionContinuedAsNewEventAttributes:
                w.Write($"<h3>Continued as new</h3><p>Input of the next run:</p>{PayloadView.Render(closed.WorkflowExecutionContinuedAsNewEventAttributes.Input)}");
                break;
        }
    }

    /// <summary>Children this run started, with how each ended (from the history).</summary>
    private static void WriteChildren(HtmlWriter w, string ns, WorkflowRun run)
    {
        var children = run.Events
            .Where(e => e.ChildWorkflowExecutionStartedEventAttributes is not null)
            .Select(e => e.ChildWorkflowExecutionStartedEventAttributes)
            .ToList();
        if (children.Count == 0)
        {
            return;
        }
        var outcomes = run.Events
            .Where(e => e.EventType is >= EventType.ChildWorkflowExecutionCompleted and <= EventType.ChildWorkflowExecutionTerminated)
            .ToDictionary(e => ChildInitiatedId(e), e => e.EventType.ToString().Replace("ChildWorkflowExecution", "", StringComparison.Ordinal));
        w.Write($"<h3>Children</h3><div class=\"scroll\"><table><thead><tr><th>Workflow ID</th><th>Type</th><th>State</th></tr></thead><tbody>");
        foreach (var child in children)
        {
            var state = outcomes.GetValueOrDefault(child.InitiatedEventId, "Running");
            var childNs = child.Namespace.Length > 0 ? child.Namespace : ns;
            w.Write($"<tr><td><a href=\"{Format.RunUrl(childNs, child.WorkflowExecution.WorkflowId, child.WorkflowExecution.RunId)}\">{child.WorkflowExecution.WorkflowId}</a></td><td>{child.WorkflowType.Name}</td><td>{state}</td></tr>");
        }
        w.Write($"</tbody></table></div>");
    }

    private static long ChildInitiatedId(HistoryEvent e) => e.AttributesCase switch
    {
        HistoryEvent.AttributesOneofCase.ChildWorkflowExecutionCompletedEventAttributes => e.ChildWorkflowExecutionCompletedEventAttributes.InitiatedEventId,
        HistoryEvent.AttributesOneofCase.ChildWorkflowExecutionFailedEventAttributes => e.ChildWorkflowExecutionFailedEventAttributes.InitiatedEventId,
        HistoryEvent.AttributesOneofCase.ChildWorkflowExecutionCanceledEventAttributes => e.ChildWorkflowExecutionCanceledEventAttributes.InitiatedEventId,
        HistoryEvent.AttributesOneofCase.ChildWorkflowExecutionTimedOutEventAttributes => e.ChildWorkflowExecutionTimedOutEventAttributes.InitiatedEventId,
        HistoryEvent.AttributesOneofCase.ChildWorkflowExecutionTerminatedEventAttributes => e.ChildWorkflowExecutionTerminatedEventAttributes.InitiatedEventId,
        _ => -e.EventId,
    };

    private static bool IsClose(EventType type) => type is EventType.WorkflowExecutionCompleted or EventType.WorkflowExecutionFailed
        or EventType.WorkflowExecutionTimedOut or EventType.WorkflowExecutionTerminated or EventType.WorkflowExecutionCanceled
        or EventType.WorkflowExecutionContinuedAsNew;
}
