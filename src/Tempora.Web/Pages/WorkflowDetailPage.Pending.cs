using Tempora.Web.Markup;
using Tempora.Web.Rendering;
using Temporalio.Api.Workflow.V1;

namespace Tempora.Web.Pages;

/// <summary>What the run waits on: pending activities and children (from Describe) and running timers (from history).</summary>
internal static partial class WorkflowDetailPage
{
    private static void WritePending(HtmlWriter w, string ns, WorkflowRun run)
    {
        var activities = run.Description.PendingActivities;
        var children = run.Description.PendingChildren;
        var timers = PendingTimers(run);
        if (activities.Count == 0 && children.Count == 0 && timers.Count == 0)
        {
            return;
        }
        w.Write($"<section class=\"card\"><h2>Pending</h2>");
        foreach (var activity in activities)
        {
            WritePendingActivity(w, activity);
            WriteActivityActions(w, ns, run, activity);
        }
        if (children.Count > 0)
        {
            w.Write($"<h3>Child workflows</h3><div class=\"scroll\"><table><thead><tr><th>Workflow ID</th><th>Type</th><th>Initiated by event</th><th>Parent close policy</th></tr></thead><tbody>");
            foreach (var child in children)
            {
                var link = child.RunId.Length > 0
                    ? Html.Of($"<a href=\"{Format.RunUrl(ns, child.WorkflowId, child.RunId)}\">{child.WorkflowId}</a>")
                    : Html.Text(child.WorkflowId + " (starting)");
                w.Write($"<tr><td>{link}</td><td>{child.WorkflowTypeName}</td><td>{child.InitiatedId}</td><td>{child.ParentClosePolicy}</td></tr>");
            }
            w.Write($"</tbody></table></div>");
        }
        if (timers.Count > 0)
        {
            w.Write($"<h3>Timers</h3><div class=\"scroll\"><table><thead><tr><th>Timer ID</th><th>Started</th><th>Fires at</th></tr></thead><tbody>");
            foreach (var timer in timers)
            {
                var attributes = timer.TimerStartedEventAttributes;
                var fires = timer.EventTime.ToDateTimeOffset() + attributes.StartToFireTimeout.ToTimeSpan();
                w.Write($"<tr><td>{attributes.TimerId}</td><td>{Format.Time(timer.EventTime)}</td><td>{Format.Time(fires)}</td></tr>");
            }
            w.Write($"</tbody></table></div>");
        }
        w.Write($"</section>");
    }

    private static void WritePendingActivity(HtmlWriter w, PendingActivityInfo activity)
    {
        var attempts = activity.MaximumAttempts > 0 ? $"{activity.Attempt} of {activity.MaximumAttempts}" : $"{activity.Attempt} (no limit)";
        w.Write($"""
            <div class="pending-activity">
            <h3>Activity {activity.ActivityType?.Name} <span class="muted">id {activity.ActivityId}</span></h3>
            <dl class="summary">
            <dt>State</dt><dd>{activity.State}</dd>
            <dt>Attempt</dt><dd>{attempts}</dd>
            <dt>Scheduled</dt><dd>{Format.Time(activity.ScheduledTime)}</dd>
            <dt>Last started</dt><dd>{Format.Time(activity.LastStartedTime)}</dd>
            """);
        if (activity.LastHeartbeatTime is not null)
        {
            w.Write($"<dt>Last heartbeat</dt><dd>{Format.Time(activity.LastHeartbeatTime)}</dd>");
        }
        if (activity.HeartbeatDetails is { Payloads_.Count: > 0 })
        {
            w.Write($"<dt>Heartbeat details</dt><dd>{PayloadView.Render(activity.HeartbeatDetails)}</dd>");
        }
        if (activity.NextAttemptScheduleTime is not null)
        {
            w.Write($"<dt>Next retry</dt><dd>{Format.Time(activity.NextAttemptScheduleTime)}</dd>");
        }
        else if (activity.CurrentRetryInterval is not null)
        {
            w.Write($"<dt>Retry interval</dt><dd>{Format.Duration(activity.CurrentRetryInterval)}</dd>");
        }
        if (activity.ExpirationTime is not null)
        {
            w.Write($"<dt>Expires</dt><dd>{Format.Time(activity.ExpirationTime)}</dd>");
        }
        if (activity.LastWorkerIdentity.Length > 0)
        {
            w.Write($"<dt>Last worker</dt><dd>{activity.LastWorkerIdentity}</dd>");
        }
        w.Write($"</dl>");
        if (activity.LastFailure is not null)
        {
            w.Write($"<h4>Last failure</h4>{FailureView.Render(activity.LastFailure)}");
        }
        w.Write($"</div>");
    }

    private static List<Temporalio.Api.History.V1.HistoryEvent> PendingTimers(WorkflowRun run)
    {
        var ended = run.Events
            .Select(e => e.TimerFiredEventAttributes?.StartedEventId ?? e.TimerCanceledEventAttributes?.StartedEventId)
            .OfType<long>()
            .ToHashSet();
        var closed = run.Description.WorkflowExecutionInfo.CloseTime is not null;
        return closed ? [] : run.Events.Where(e => e.TimerStartedEventAttributes is not null && !ended.Contains(e.EventId)).ToList();
    }
}
