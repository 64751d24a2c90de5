using Tempora.Web.Markup;
using Tempora.Web.Rendering;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.TaskQueue.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Web.Pages;

/// <summary>
/// /namespaces/{ns}/task-queues/{name}: per task type its backlog (count and age of the oldest task), the tasks added
/// and dispatched per second, and the workers polling it.
/// </summary>
internal static class TaskQueuePage
{
    public static async Task RenderAsync(UiRequest request)
    {
        var ns = request.RequiredNamespace;
        var name = request.RouteValue("taskQueue")!;
        var w = new HtmlWriter();
        w.Write($"""
            <p class="crumbs"><a href="{Format.WorkflowsUrl(ns)}">Workflows</a> / task queue</p>
            <h1>Task queue <span class="mono">{name}</span></h1>
            <p><a href="{Format.ListUrl(ns, $"TaskQueue = {Format.Quote(name)}")}">Workflows on this task queue</a></p>
            """);
        // One enhanced describe gives both task types, as Temporal's UI asks for them: pollers and statistics per type.
#pragma warning disable CS0612 // deprecated in the API for the version-based view, which Temporal 1.28 still serves
        var description = await request.CallAsync<DescribeTaskQueueRequest, DescribeTaskQueueResponse>(new()
        {
            Namespace = ns,
            TaskQueue = new TaskQueue { Name = name, Kind = TaskQueueKind.Normal },
            ApiMode = DescribeTaskQueueMode.Enhanced,
            TaskQueueTypes = { TaskQueueType.Workflow, TaskQueueType.Activity },
            ReportPollers = true,
            ReportStats = true,
        });
        var types = description.VersionsInfo.TryGetValue("", out var unversioned) ? unversioned.TypesInfo : null;
#pragma warning restore CS0612
        var sides = new[] { (TaskQueueType.Workflow, "Workflow"), (TaskQueueType.Activity, "Activity") };
        w.Write($"""
            <section class="card"><h2>Statistics</h2>
            <div class="scroll"><table class="stats"><thead><tr><th>Task type</th><th>Backlog</th><th>Backlog age</th><th>Tasks added per second</th><th>Tasks dispatched per second</th></tr></thead><tbody>
            """);
        foreach (var (type, title) in sides)
        {
            var stats = types?.GetValueOrDefault((int)type)?.Stats ?? new TaskQueueStats();
            w.Write($"<tr data-type=\"{title.ToLowerInvariant()}\"><td>{title}</td><td class=\"backlog\">{stats.ApproximateBacklogCount}</td>"
                + $"<td class=\"backlog-age\">{(stats.ApproximateBacklogCount == 0 ? "–" : Format.Duration(stats.ApproximateBacklogAge))}</td>"
                + $"<td class=\"add-rate\">{Rate(stats.TasksAddRate)}</td><td class=\"dispatch-rate\">{Rate(stats.TasksDispatchRate)}</td></tr>");
        }
        w.Write($"</tbody></table></div><p class=\"muted small\">Rates are averaged over the last 30 seconds; the backlog age is that of its oldest task.</p></section>");
        foreach (var (type, title) in sides)
        {
            var pollers = types?.GetValueOrDefault((int)type)?.Pollers ?? [];
            w.Write($"<section class=\"card\"><h2>{title} workers</h2>");
            if (pollers.Count == 0)
            {
                w.Write($"<p class=\"empty\">No worker has polled this task queue recently. Start a worker on <span class=\"mono\">{name}</span>.</p>");
            }
            else
            {
                w.Write($"<div class=\"scroll\"><table class=\"pollers\"><thead><tr><th>Identity</th><th>Last access</th><th>Rate per second</th></tr></thead><tbody>");
                foreach (var poller in pollers.OrderByDescending(p => p.LastAccessTime))
                {
                    var rate = poller.RatePerSecond > 0 ? poller.RatePerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture) : "–";
                    w.Write($"<tr><td>{poller.Identity}</td><td>{Format.Time(poller.LastAccessTime)}</td><td>{rate}</td></tr>");
                }
                w.Write($"</tbody></table></div>");
            }
            w.Write($"</section>");
        }
        await request.WritePageAsync($"Task queue {name}", w.ToHtml());
    }

    private static string Rate(float perSecond) => perSecond.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture);
}
