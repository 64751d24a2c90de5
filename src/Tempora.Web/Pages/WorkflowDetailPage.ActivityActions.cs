using Tempora.Web.Markup;
using Tempora.Web.Rendering;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Workflow.V1;

namespace Tempora.Web.Pages;

/// <summary>
/// A pending activity's controls: pause or unpause it, and reset it (attempt 1, at once), each a form posted to
/// .../{runId}/activity-{pause,unpause,reset} (<see cref="ActivityActions"/>). Whether it is paused, since when, by
/// whom and why is in its summary above (WritePause).
/// </summary>
internal static partial class WorkflowDetailPage
{
    internal static void WriteActivityActions(HtmlWriter w, string ns, WorkflowRun run, PendingActivityInfo activity)
    {
        var info = run.Description.WorkflowExecutionInfo;
        if (info.Status != WorkflowExecutionStatus.Running)
        {
            return;
        }
        var action = $"/namespaces/{Format.Segment(ns)}/workflows/{Format.Segment(info.Execution.WorkflowId)}/{Format.Segment(info.Execution.RunId)}/activity-";
        w.Write($"<div class=\"activity-actions\" data-activity-id=\"{activity.ActivityId}\">");
        if (activity.Paused)
        {
            w.Write($"""
                <form method="post" action="{action}unpause">
                <input type="hidden" name="activityId" value="{activity.ActivityId}">
                <label class="inline"><input type="checkbox" name="resetAttempts" value="1"> start again from attempt 1</label>
                <button type="submit">Unpause</button>
                </form>
                """);
        }
        else
        {
            w.Write($"""
                <form method="post" action="{action}pause" data-confirm="Pause activity {activity.ActivityId}? No new attempt starts until it is unpaused.">
                <input type="hidden" name="activityId" value="{activity.ActivityId}">
                <input type="text" name="reason" autocomplete="off" placeholder="reason (optional)" aria-label="Reason for pausing">
                <button type="submit" class="warn">Pause</button>
                </form>
                """);
        }
        w.Write($"""
            <form method="post" action="{action}reset" data-confirm="Reset activity {activity.ActivityId}? It starts again from attempt 1, at once.">
            <input type="hidden" name="activityId" value="{activity.ActivityId}">
            <label class="inline"><input type="checkbox" name="resetHeartbeat" value="1"> clear heartbeat details</label>
            <label class="inline"><input type="checkbox" name="keepPaused" value="1"> keep paused</label>
            <button type="submit" class="danger">Reset</button>
            </form>
            </div>
            """);
    }
}
