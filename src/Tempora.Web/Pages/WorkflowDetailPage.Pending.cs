using Tempora.Web.Markup;
using Tempora.Web.Rendering;
using Temporalio.Api.Workflow.V1;

namespace Tempora.Web.Pages;

/// <summary>
/// What the run waits on: pending activities, children and Nexus operations (from Describe) and running timers (from
/// history); and the run's completion callbacks, which Describe keeps after the run closed.
/// </summary>
internal static partial class WorkflowDetailPage
{
    private static void WritePending(HtmlWriter w, string ns, WorkflowRun run)
    {
        var activities = run.Description.PendingActivities;
        var children = run.Description.PendingChildren;
        var timers = PendingTimers(run);
        var nexus = run.Description.PendingNexusOperations;
        var callbacks = run.Description.Callbacks;
        var pending = activities.Count + children.Count + timers.Count + nexus.Count > 0;
        if (!pending && callbacks.Count == 0)
        {
            return;
        }
        w.Write($"<section class=\"card pending\"><h2>{(pending ? "Pending" : "Callbacks")}</h2>");
        foreach (var activity in activities)
        {
            WritePendingActivity(w, activity);
            WriteActivityActions(w, ns, run, activity);
        }
        foreach (var operation in nexus)
        {
            WritePendingNexusOperation(w, operation);
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
        WriteCallbacks(w, callbacks);
        w.Write($"</section>");
    }

    internal static void WritePendingActivity(HtmlWriter w, PendingActivityInfo activity)
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
        WritePause(w, activity);
        WriteActivityOptions(w, activity);
        w.Write($"</dl>");
        if (activity.LastFailure is not null)
        {
            w.Write($"<h4>Last failure</h4>{FailureView.Render(activity.LastFailure)}");
        }
        w.Write($"</div>");
    }

    /// <summary>Who paused the activity, when and why; a paused attempt still running shows as PauseRequested above.</summary>
    private static void WritePause(HtmlWriter w, PendingActivityInfo activity)
    {
        if (!activity.Paused)
        {
            return;
        }
        w.Write($"<dt>Paused</dt><dd class=\"activity-paused\">yes");
        if (activity.PauseInfo is { } pause)
        {
            w.Write($", at {Format.Time(pause.PauseTime)}");
            if (pause.Manual is { } manual)
            {
                if (manual.Identity.Length > 0)
                {
                    w.Write($" by {manual.Identity}");
                }
                if (manual.Reason.Length > 0)
                {
                    w.Write($": {manual.Reason}");
                }
            }
        }
        w.Write($"</dd>");
    }

    /// <summary>The options the activity runs with now (an operator may have changed them since it was scheduled).</summary>
    private static void WriteActivityOptions(HtmlWriter w, PendingActivityInfo activity)
    {
        if (activity.ActivityOptions is not { } o)
        {
            return;
        }
        w.Write($"<dt>Task queue</dt><dd>{o.TaskQueue?.Name}</dd>");
        w.Write($"<dt>Timeouts</dt><dd>schedule-to-close {Format.Duration(o.ScheduleToCloseTimeout)}, schedule-to-start {Format.Duration(o.ScheduleToStartTimeout)}, start-to-close {Format.Duration(o.StartToCloseTimeout)}, heartbeat {Format.Duration(o.HeartbeatTimeout)}</dd>");
        if (o.RetryPolicy is { } p)
        {
            var attempts = p.MaximumAttempts > 0 ? p.MaximumAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture) : "no limit";
            w.Write($"<dt>Retry policy</dt><dd>initial {Format.Duration(p.InitialInterval)}, ×{p.BackoffCoefficient.ToString(System.Globalization.CultureInfo.InvariantCulture)}, max interval {Format.Duration(p.MaximumInterval)}, max attempts {attempts}</dd>");
        }
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
