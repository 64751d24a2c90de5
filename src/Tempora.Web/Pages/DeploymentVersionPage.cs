using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Tempora.Core.Versioning;
using Tempora.Web.Markup;
using Tempora.Web.Rendering;
using Temporalio.Api.Deployment.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Web.Pages;

/// <summary>
/// /namespaces/{ns}/worker-deployments/{deployment}/version/{buildId}: one version (DescribeWorkerDeploymentVersion):
/// its status and times, drainage, the task queues its workers poll, its metadata, and the delete form.
/// </summary>
internal static class DeploymentVersionPage
{
    public static Task RenderAsync(UiRequest request) => RenderAsync(request, Html.Empty, StatusCodes.Status200OK);

    public static async Task RenderAsync(UiRequest request, Html banner, int statusCode)
    {
        var ns = request.RequiredNamespace;
        var version = new DeploymentVersion(request.RouteValue("deployment")!, request.RouteValue("buildId")!);
        DescribeWorkerDeploymentVersionResponse description;
        try
        {
            description = await request.CallAsync<DescribeWorkerDeploymentVersionRequest, DescribeWorkerDeploymentVersionResponse>(
                new() { Namespace = ns, DeploymentVersion = version.ToProto() });
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unimplemented)
        {
            await DeploymentView.WriteUnimplementedAsync(request, ns, e);
            return;
        }
        await request.WritePageAsync($"Version {version.ToCanonicalString()}",
            Render(ns, version, description.WorkerDeploymentVersionInfo ?? new WorkerDeploymentVersionInfo(), banner), statusCode);
    }

    /// <summary>The page's content for a version's description (apart from the call, so that it can be checked on its own).</summary>
    public static Html Render(string ns, DeploymentVersion version, WorkerDeploymentVersionInfo info, Html banner)
    {
        var deploymentUrl = Format.DeploymentUrl(ns, version.DeploymentName);
        var w = new HtmlWriter();
#pragma warning disable CS0612 // status is newer than drainage; both are read
        w.Write($"""
            <p class="crumbs"><a href="{Format.DeploymentsUrl(ns)}">Worker deployments</a> / <a href="{deploymentUrl}">{version.DeploymentName}</a> / {version.BuildId}</p>
            <h1>Version <span class="build-id">{version.BuildId}</span> <span class="muted">of {version.DeploymentName}</span></h1>
            {banner}
            <section class="card"><h2>Version</h2>
            <dl class="summary">
            <dt>Deployment</dt><dd><a href="{deploymentUrl}">{version.DeploymentName}</a></dd>
            <dt>Build ID</dt><dd class="mono">{version.BuildId}</dd>
            <dt>Version</dt><dd class="mono version-string">{version.ToCanonicalString()}</dd>
            <dt>Status</dt><dd class="version-status">{DeploymentView.Status(info.Status)}</dd>
            """);
#pragma warning restore CS0612
        if (info.RampPercentage > 0)
        {
            w.Write($"<dt>Ramp</dt><dd class=\"ramp-percentage\">{DeploymentView.Percentage(info.RampPercentage)}</dd>");
        }
        w.Write($"""
            <dt>Created</dt><dd>{Format.Time(info.CreateTime)}</dd>
            <dt>Routing changed</dt><dd>{Format.Time(info.RoutingChangedTime)}</dd>
            <dt>Current since</dt><dd class="current-since">{Format.Time(info.CurrentSinceTime)}</dd>
            <dt>Ramping since</dt><dd>{Format.Time(info.RampingSinceTime)}</dd>
            <dt>First activation</dt><dd>{Format.Time(info.FirstActivationTime)}</dd>
            <dt>Last deactivation</dt><dd>{Format.Time(info.LastDeactivationTime)}</dd>
            <dt>Drainage</dt><dd class="drainage-info">{DeploymentView.Drainage(info.DrainageInfo)}</dd>
            </dl>
            <p class="small"><a href="{Format.ListUrl(ns, $"TemporalWorkerDeploymentVersion = {Format.Quote(version.ToSearchAttributeString())}")}">Workflows on this version</a></p>
            </section>
            """);
        WriteTaskQueues(w, ns, info);
        w.Write($"""
            <section class="card"><h2>Metadata</h2>
            {(info.Metadata is { Entries.Count: > 0 } metadata ? ProtoView.PayloadMap(metadata.Entries) : Html.Of($"<p class=\"empty\">No metadata.</p>"))}
            </section>
            <section class="card actions"><h2>Actions</h2>
            <details><summary>Delete version</summary>
            <form method="post" action="{Format.DeploymentVersionUrl(ns, version.DeploymentName, version.BuildId)}/delete" class="delete-version" data-confirm="Delete the version {version.ToCanonicalString()}?">
            <p class="small">The current and the ramping version cannot be deleted, nor one whose workers still poll; one that is draining only with the box below.</p>
            <label class="inline"><input type="checkbox" name="skip-drainage" value="true"> even if pinned workflows may still run on it (skip drainage)</label>
            <button type="submit" class="danger">Delete version</button>
            </form></details>
            </section>
            """);
        return w.ToHtml();
    }

    private static void WriteTaskQueues(HtmlWriter w, string ns, WorkerDeploymentVersionInfo info)
    {
        w.Write($"<section class=\"card\"><h2>Task queues</h2>");
        if (info.TaskQueueInfos.Count == 0)
        {
            w.Write($"<p class=\"empty\">No task queue: a task queue joins the version when a worker of it polls there.</p></section>");
            return;
        }
        w.Write($"<div class=\"scroll\"><table class=\"task-queues\"><thead><tr><th>Name</th><th>Type</th></tr></thead><tbody>");
        foreach (var queue in info.TaskQueueInfos.OrderBy(q => q.Name, StringComparer.Ordinal).ThenBy(q => q.Type))
        {
            w.Write($"<tr><td><a href=\"{Format.TaskQueueUrl(ns, queue.Name)}\">{queue.Name}</a></td><td>{TypeName(queue.Type)}</td></tr>");
        }
        w.Write($"</tbody></table></div></section>");
    }

    private static string TypeName(TaskQueueType type) => type switch
    {
        TaskQueueType.Workflow => "Workflow",
        TaskQueueType.Activity => "Activity",
        TaskQueueType.Nexus => "Nexus",
        _ => type.ToString(),
    };
}
