using Tempora.Web.Markup;
using Tempora.Web.Rendering;
using Temporalio.Api.History.V1;

namespace Tempora.Web.Pages;

/// <summary>The event list: one line per event with the gist, its decoded attributes a click away.</summary>
internal static partial class WorkflowDetailPage
{
    private static void WriteEvents(HtmlWriter w, WorkflowRun run, ProtoView view)
    {
        w.Write($"""
            <section class="card"><h2>Event history <span class="muted small">{run.Events.Count} events</span></h2>
            <p class="small"><a href="#" data-expand-all>Expand all</a> · <a href="#" data-collapse-all>Collapse all</a></p>
            <ol class="events">
            """);
        var first = run.Events.Count > 0 ? run.Events[0].EventTime.ToDateTimeOffset() : DateTimeOffset.MinValue;
        foreach (var e in run.Events)
        {
            var attributes = WorkflowRun.Attributes(e);
            var offset = Format.Duration(e.EventTime.ToDateTimeOffset() - first);
            var kind = Category(e);
            w.Write($"""
                <li id="event-{e.EventId}" class="event ev-{kind}"><details>
                <summary><span class="ev-id">{e.EventId}</span> <span class="ev-type">{e.EventType.ToString()}</span> <span class="ev-gist">{Gist(e)}</span>{EventLinks.Render(e.Links)} <span class="ev-time muted small">{Format.Time(e.EventTime)} (+{offset})</span></summary>
                {(attributes is null ? Html.Empty : view.Render(attributes))}
                </details></li>
                """);
        }
        w.Write($"</ol>");
        if (run.Truncated)
        {
            w.Write($"<p class=\"notice\">The first {run.Events.Count} events are shown; download the history for all of them.</p>");
        }
        w.Write($"</section>");
    }

    private static string Category(HistoryEvent e)
    {
        var name = e.EventType.ToString();
        return name.Contains("Failed", StringComparison.Ordinal) || name.Contains("TimedOut", StringComparison.Ordinal) ? "bad"
            : name.StartsWith("WorkflowTask", StringComparison.Ordinal) ? "task"
            : name.StartsWith("Activity", StringComparison.Ordinal) ? "activity"
            : name.StartsWith("Timer", StringComparison.Ordinal) ? "timer"
            : name.Contains("Signal", StringComparison.Ordinal) ? "signal"
            : name.StartsWith("NexusOperation", StringComparison.Ordinal) ? "nexus"
            : "other";
    }

    /// <summary>The line a reader scans for: which activity, timer, signal, child or Nexus operation, and outcomes in brief.</summary>
    internal static string Gist(HistoryEvent e) => e.AttributesCase switch
    {
        HistoryEvent.AttributesOneofCase.WorkflowExecutionStartedEventAttributes =>
            $"{e.WorkflowExecutionStartedEventAttributes.WorkflowType.Name}({PayloadView.Summary(e.WorkflowExecutionStartedEventAttributes.Input)})",
        HistoryEvent.AttributesOneofCase.WorkflowExecutionCompletedEventAttributes =>
            PayloadView.Summary(e.WorkflowExecutionCompletedEventAttributes.Result),
        HistoryEvent.AttributesOneofCase.WorkflowExecutionFailedEventAttributes => e.WorkflowExecutionFailedEventAttributes.Failure?.Message ?? "",
        HistoryEvent.AttributesOneofCase.WorkflowExecutionTerminatedEventAttributes => e.WorkflowExecutionTerminatedEventAttributes.Reason,
        HistoryEvent.AttributesOneofCase.WorkflowExecutionSignaledEventAttributes =>
            $"{e.WorkflowExecutionSignaledEventAttributes.SignalName}({PayloadView.Summary(e.WorkflowExecutionSignaledEventAttributes.Input)})",
        HistoryEvent.AttributesOneofCase.ActivityTaskScheduledEventAttributes =>
            $"{e.ActivityTaskScheduledEventAttributes.ActivityType.Name} (id {e.ActivityTaskScheduledEventAttributes.ActivityId})",
        HistoryEvent.AttributesOneofCase.ActivityTaskStartedEventAttributes => $"attempt {e.ActivityTaskStartedEventAttributes.Attempt}",
        HistoryEvent.AttributesOneofCase.ActivityTaskCompletedEventAttributes => PayloadView.Summary(e.ActivityTaskCompletedEventAttributes.Result),
        HistoryEvent.AttributesOneofCase.ActivityTaskFailedEventAttributes => e.ActivityTaskFailedEventAttributes.Failure?.Message ?? "",
        HistoryEvent.AttributesOneofCase.TimerStartedEventAttributes =>
            $"{e.TimerStartedEventAttributes.TimerId} for {Format.Duration(e.TimerStartedEventAttributes.StartToFireTimeout)}",
        HistoryEvent.AttributesOneofCase.TimerFiredEventAttributes => e.TimerFiredEventAttributes.TimerId,
        HistoryEvent.AttributesOneofCase.StartChildWorkflowExecutionInitiatedEventAttributes =>
            $"{e.StartChildWorkflowExecutionInitiatedEventAttributes.WorkflowType.Name} {e.StartChildWorkflowExecutionInitiatedEventAttributes.WorkflowId}",
        HistoryEvent.AttributesOneofCase.WorkflowTaskCompletedEventAttributes => WorkflowTaskCompletedGist(e.WorkflowTaskCompletedEventAttributes),
        HistoryEvent.AttributesOneofCase.WorkflowExecutionOptionsUpdatedEventAttributes => OptionsUpdatedGist(e.WorkflowExecutionOptionsUpdatedEventAttributes),
        HistoryEvent.AttributesOneofCase.WorkflowTaskFailedEventAttributes =>
            $"{e.WorkflowTaskFailedEventAttributes.Cause}: {e.WorkflowTaskFailedEventAttributes.Failure?.Message}",
        HistoryEvent.AttributesOneofCase.MarkerRecordedEventAttributes => e.MarkerRecordedEventAttributes.MarkerName,
        HistoryEvent.AttributesOneofCase.WorkflowExecutionUpdateAcceptedEventAttributes =>
            e.WorkflowExecutionUpdateAcceptedEventAttributes.AcceptedRequest?.Input?.Name ?? "",
        _ => NexusGist(e),
    };

    /// <summary>
    /// A Nexus event's gist. The failure events carry Temporal's wrapper ("nexus operation completed unsuccessfully"),
    /// so the cause is what says what went wrong.
    /// </summary>
    private static string NexusGist(HistoryEvent e) => e.AttributesCase switch
    {
        HistoryEvent.AttributesOneofCase.NexusOperationScheduledEventAttributes =>
            $"{e.NexusOperationScheduledEventAttributes.Endpoint} / {e.NexusOperationScheduledEventAttributes.Service} / {e.NexusOperationScheduledEventAttributes.Operation}({PayloadView.SummaryOne(e.NexusOperationScheduledEventAttributes.Input)})",
        HistoryEvent.AttributesOneofCase.NexusOperationStartedEventAttributes =>
            $"token {e.NexusOperationStartedEventAttributes.OperationToken}",
        HistoryEvent.AttributesOneofCase.NexusOperationCompletedEventAttributes => PayloadView.SummaryOne(e.NexusOperationCompletedEventAttributes.Result),
        HistoryEvent.AttributesOneofCase.NexusOperationFailedEventAttributes => CauseMessage(e.NexusOperationFailedEventAttributes.Failure),
        HistoryEvent.AttributesOneofCase.NexusOperationCanceledEventAttributes => CauseMessage(e.NexusOperationCanceledEventAttributes.Failure),
        HistoryEvent.AttributesOneofCase.NexusOperationTimedOutEventAttributes => CauseMessage(e.NexusOperationTimedOutEventAttributes.Failure),
        HistoryEvent.AttributesOneofCase.NexusOperationCancelRequestedEventAttributes =>
            $"operation scheduled by event {e.NexusOperationCancelRequestedEventAttributes.ScheduledEventId}",
        _ => "",
    };

    private static string CauseMessage(Temporalio.Api.Failure.V1.Failure? failure) => (failure?.Cause ?? failure)?.Message ?? "";
}
