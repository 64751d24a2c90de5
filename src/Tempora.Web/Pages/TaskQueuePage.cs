using Tempora.Web.Markup;
using Tempora.Web.Rendering;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.TaskQueue.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Web.Pages;

/// <summary>/namespaces/{ns}/task-queues/{name}: the workers polling it (workflow and activity side) and its backlog.</summary>
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
        foreach (var (type, title) in new[] { (TaskQueueType.Workflow, "Workflow workers"), (TaskQueueType.Activity, "Activity workers") })
        {
            var description = await request.CallAsync<DescribeTaskQueueRequest, DescribeTaskQueueResponse>(new()
            {
                Namespace = ns,
                TaskQueue = new TaskQueue { Name = name, Kind = TaskQueueKind.Normal },
                TaskQueueType = type,
                IncludeTaskQueueStatus = true,
            });
            w.Write($"<section class=\"card\"><h2>{title}</h2>");
            if (description.TaskQueueStatus is { } status)
            {
                w.Write($"<p>Backlog: <b class=\"backlog\">{status.BacklogCountHint}</b> task{(status.BacklogCountHint == 1 ? "" : "s")} waiting for a worker</p>");
            }
            if (description.Pollers.Count == 0)
            {
                w.Write($"<p class=\"empty\">No worker has polled this task queue recently. Start a worker on <span class=\"mono\">{name}</span>.</p>");
            }
            else
            {
                w.Write($"<div class=\"scroll\"><table class=\"pollers\"><thead><tr><th>Identity</th><th>Last access</th><th>Rate per second</th></tr></thead><tbody>");
                foreach (var poller in description.Pollers.OrderByDescending(p => p.LastAccessTime))
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
}
