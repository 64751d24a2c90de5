using System.Globalization;
using Tempora.Web.Markup;
using Tempora.Web.Rendering;
using Temporalio.Api.History.V1;

namespace Tempora.Web.Pages;

/// <summary>
/// The compact timeline: one bar per activity, timer, child workflow and Nexus operation, placed on the run's time axis. Each track is
/// an SVG 100 units wide stretched to the row, so a bar's place is geometry (x, width) rather than a style attribute,
/// which the UI's Content-Security-Policy forbids; it needs no script and narrows with the screen.
/// </summary>
internal static partial class WorkflowDetailPage
{
    private const int MaxTimelineRows = 200;

    private static void WriteTimeline(HtmlWriter w, WorkflowRun run)
    {
        var spans = Spans(run.Events);
        if (spans.Count == 0 || run.Events.Count == 0)
        {
            return;
        }
        var start = run.Events[0].EventTime.ToDateTimeOffset();
        var end = run.Description.WorkflowExecutionInfo.CloseTime?.ToDateTimeOffset()
            ?? DateTimeOffset.UtcNow;
        var total = Math.Max((end - start).TotalMilliseconds, 1);
        w.Write($"""
            <section class="card"><h2>Timeline</h2>
            <div class="timeline" role="list">
            <div class="tl-axis"><span>{Format.Time(start)}</span><span>{Format.Duration(end - start)}</span></div>
            """);
        foreach (var span in spans.Take(MaxTimelineRows))
        {
            var from = (span.Start - start).TotalMilliseconds / total * 100;
            var to = ((span.End ?? end) - start).TotalMilliseconds / total * 100;
            var left = Math.Clamp(from, 0, 99.5);
            var width = Math.Clamp(to - from, 0.5, 100 - left);
            var x = left.ToString("0.##", CultureInfo.InvariantCulture);
            var barWidth = width.ToString("0.##", CultureInfo.InvariantCulture);
            var took = Format.Duration((span.End ?? end) - span.Start);
            w.Write($"""
                <div class="tl-row" role="listitem">
                <a class="tl-label" href="#event-{span.EventId}" title="{span.Kind} {span.Label}">{span.Kind} <b>{span.Label}</b></a>
                <svg class="tl-track" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true"><rect class="tl-bar tl-{span.State.ToLowerInvariant()}" x="{x}" y="1.5" width="{barWidth}" height="7"><title>{span.Label}: {span.State}, {took}</title></rect></svg>
                <span class="tl-state small">{span.State} · {took}</span>
                </div>
                """);
        }
        if (spans.Count > MaxTimelineRows)
        {
            w.Write($"<p class=\"muted small\">Showing the first {MaxTimelineRows} of {spans.Count}.</p>");
        }
        w.Write($"</div></section>");
    }

    /// <summary>A bar: what it is, from its first event to the one that ended it (null: still going).</summary>
    private sealed record TimelineSpan(long EventId, string Kind, string Label, DateTimeOffset Start)
    {
        public DateTimeOffset? End { get; set; }

        public string State { get; set; } = "Pending";
    }

    private static List<TimelineSpan> Spans(IReadOnlyList<HistoryEvent> events)
    {
        var spans = new Dictionary<long, TimelineSpan>();
        void Close(long startedBy, HistoryEvent e, string state)
        {
            if (spans.TryGetValue(startedBy, out var span))
            {
                span.End = e.EventTime.ToDateTimeOffset();
                span.State = state;
            }
        }
        void Running(long startedBy)
        {
            if (spans.TryGetValue(startedBy, out var span))
            {
                span.State = "Running";
            }
        }
        foreach (var e in events)
        {
            var time = e.EventTime.ToDateTimeOffset();
            switch (e.AttributesCase)
            {
                case HistoryEvent.AttributesOneofCase.ActivityTaskScheduledEventAttributes:
                    spans[e.EventId] = new(e.EventId, "Activity", e.ActivityTaskScheduledEventAttributes.ActivityType.Name, time);
                    break;
                case HistoryEvent.AttributesOneofCase.ActivityTaskStartedEventAttributes:
                    Running(e.ActivityTaskStartedEventAttributes.ScheduledEventId);
                    break;
                case HistoryEvent.AttributesOneofCase.ActivityTaskCompletedEventAttributes:
                    Close(e.ActivityTaskCompletedEventAttributes.ScheduledEventId, e, "Completed");
                    break;
                case HistoryEvent.AttributesOneofCase.ActivityTaskFailedEventAttributes:
                    Close(e.ActivityTaskFailedEventAttributes.ScheduledEventId, e, "Failed");
                    break;
                case HistoryEvent.AttributesOneofCase.ActivityTaskTimedOutEventAttributes:
                    Close(e.ActivityTaskTimedOutEventAttributes.ScheduledEventId, e, "TimedOut");
                    break;
                case HistoryEvent.AttributesOneofCase.ActivityTaskCanceledEventAttributes:
                    Close(e.ActivityTaskCanceledEventAttributes.ScheduledEventId, e, "Canceled");
                    break;
                case HistoryEvent.AttributesOneofCase.TimerStartedEventAttributes:
                    spans[e.EventId] = new(e.EventId, "Timer", e.TimerStartedEventAttributes.TimerId, time) { State = "Running" };
                    break;
                case HistoryEvent.AttributesOneofCase.TimerFiredEventAttributes:
                    Close(e.TimerFiredEventAttributes.StartedEventId, e, "Fired");
                    break;
                case HistoryEvent.AttributesOneofCase.TimerCanceledEventAttributes:
                    Close(e.TimerCanceledEventAttributes.StartedEventId, e, "Canceled");
                    break;
                case HistoryEvent.AttributesOneofCase.StartChildWorkflowExecutionInitiatedEventAttributes:
                    spans[e.EventId] = new(e.EventId, "Child", e.StartChildWorkflowExecutionInitiatedEventAttributes.WorkflowId, time);
                    break;
                case HistoryEvent.AttributesOneofCase.StartChildWorkflowExecutionFailedEventAttributes:
                    Close(e.StartChildWorkflowExecutionFailedEventAttributes.InitiatedEventId, e, "Failed");
                    break;
                case HistoryEvent.AttributesOneofCase.ChildWorkflowExecutionStartedEventAttributes:
                    Running(e.ChildWorkflowExecutionStartedEventAttributes.InitiatedEventId);
                    break;
                case HistoryEvent.AttributesOneofCase.ChildWorkflowExecutionCompletedEventAttributes:
                    Close(e.ChildWorkflowExecutionCompletedEventAttributes.InitiatedEventId, e, "Completed");
                    break;
                case HistoryEvent.AttributesOneofCase.ChildWorkflowExecutionFailedEventAttributes:
                    Close(e.ChildWorkflowExecutionFailedEventAttributes.InitiatedEventId, e, "Failed");
                    break;
                case HistoryEvent.AttributesOneofCase.ChildWorkflowExecutionCanceledEventAttributes:
                    Close(e.ChildWorkflowExecutionCanceledEventAttributes.InitiatedEventId, e, "Canceled");
                    break;
                case HistoryEvent.AttributesOneofCase.ChildWorkflowExecutionTimedOutEventAttributes:
                    Close(e.ChildWorkflowExecutionTimedOutEventAttributes.InitiatedEventId, e, "TimedOut");
                    break;
                case HistoryEvent.AttributesOneofCase.ChildWorkflowExecutionTerminatedEventAttributes:
                    Close(e.ChildWorkflowExecutionTerminatedEventAttributes.InitiatedEventId, e, "Terminated");
                    break;
                case HistoryEvent.AttributesOneofCase.NexusOperationScheduledEventAttributes:
                    var scheduled = e.NexusOperationScheduledEventAttributes;
                    spans[e.EventId] = new(e.EventId, "Nexus", $"{scheduled.Service}/{scheduled.Operation}", time);
                    break;
                case HistoryEvent.AttributesOneofCase.NexusOperationStartedEventAttributes:
                    Running(e.NexusOperationStartedEventAttributes.ScheduledEventId);
                    break;
                case HistoryEvent.AttributesOneofCase.NexusOperationCompletedEventAttributes:
                    Close(e.NexusOperationCompletedEventAttributes.ScheduledEventId, e, "Completed");
                    break;
                case HistoryEvent.AttributesOneofCase.NexusOperationFailedEventAttributes:
                    Close(e.NexusOperationFailedEventAttributes.ScheduledEventId, e, "Failed");
                    break;
                case HistoryEvent.AttributesOneofCase.NexusOperationCanceledEventAttributes:
                    Close(e.NexusOperationCanceledEventAttributes.ScheduledEventId, e, "Canceled");
                    break;
                case HistoryEvent.AttributesOneofCase.NexusOperationTimedOutEventAttributes:
                    Close(e.NexusOperationTimedOutEventAttributes.ScheduledEventId, e, "TimedOut");
                    break;
            }
        }
        return spans.Values.OrderBy(s => s.EventId).ToList();
    }
}
