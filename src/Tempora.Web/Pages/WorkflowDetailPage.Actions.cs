using Tempora.Web.Markup;
using Tempora.Web.Rendering;
using Temporalio.Api.Enums.V1;

namespace Tempora.Web.Pages;

/// <summary>
/// The action forms. Each posts to .../{runId}/{action} (<see cref="WorkflowActions"/>); the ones that change the run
/// ask for confirmation first (site.js reads data-confirm).
/// </summary>
internal static partial class WorkflowDetailPage
{
    private static void WriteActions(HtmlWriter w, string ns, WorkflowRun run)
    {
        var info = run.Description.WorkflowExecutionInfo;
        var action = $"/namespaces/{Format.Segment(ns)}/workflows/{Format.Segment(info.Execution.WorkflowId)}/{Format.Segment(info.Execution.RunId)}/";
        var running = info.Status == WorkflowExecutionStatus.Running;
        w.Write($"<section class=\"card actions\"><h2>Actions</h2>");
        if (running)
        {
            w.Write($"""
                <details open><summary>Signal</summary>
                <form method="post" action="{action}signal" data-confirm="Send this signal to {info.Execution.WorkflowId}?">
                <label>Signal name <input type="text" name="name" required spellcheck="false" autocomplete="off"></label>
                <label>Input (JSON, optional; a JSON array sends several arguments when "several" is ticked)
                <textarea name="input" rows="3" spellcheck="false" placeholder='"hello"'></textarea></label>
                <label class="inline"><input type="checkbox" name="spread" value="1"> several arguments</label>
                <button type="submit">Send signal</button>
                </form></details>
                """);
        }
        w.Write($"""
            <details{(running ? Html.Of($" open") : Html.Empty)}><summary>Query</summary>
            <form method="post" action="{action}query">
            <label>Query type <input type="text" name="name" required spellcheck="false" autocomplete="off" placeholder="__stack_trace"></label>
            <label>Arguments (JSON, optional; a JSON array passes several when "several" is ticked)
            <textarea name="input" rows="2" spellcheck="false"></textarea></label>
            <label class="inline"><input type="checkbox" name="spread" value="1"> several arguments</label>
            <button type="submit">Run query</button>
            </form></details>
            """);
        if (running)
        {
            w.Write($"""
                <details><summary>Cancel</summary>
                <form method="post" action="{action}cancel" data-confirm="Request cancellation of {info.Execution.WorkflowId}?">
                <p class="small">The workflow is asked to cancel and decides how to wind down.</p>
                <button type="submit" class="warn">Request cancellation</button>
                </form></details>
                <details><summary>Terminate</summary>
                <form method="post" action="{action}terminate" data-confirm="Terminate {info.Execution.WorkflowId}? The workflow code gets no chance to clean up.">
                <label>Reason <input type="text" name="reason" autocomplete="off"></label>
                <button type="submit" class="danger">Terminate</button>
                </form></details>
                """);
        }
        var resetPoints = run.Events.Where(e => e.EventType is EventType.WorkflowTaskCompleted).ToList();
        if (resetPoints.Count > 0)
        {
            w.Write($"""
                <details><summary>Reset</summary>
                <form method="post" action="{action}reset" data-confirm="Reset {info.Execution.WorkflowId}? The current run ends and a new run replays up to the chosen point.">
                <label>Reset to workflow task <select name="eventId">
                """);
            foreach (var point in resetPoints)
            {
                var selected = Html.SelectedIf(point == resetPoints[0]);
                w.Write($"<option value=\"{point.EventId}\"{selected}>event {point.EventId} · {Format.TimeText(point.EventTime.ToDateTimeOffset())} UTC</option>");
            }
            w.Write($"""
                </select></label>
                <label>Reason <input type="text" name="reason" autocomplete="off"></label>
                <button type="submit" class="danger">Reset</button>
                </form></details>
                """);
        }
        w.Write($"<p class=\"small\"><a href=\"{action}history/json\" download>Download history (JSON)</a></p>");
        w.Write($"</section>");
    }
}
