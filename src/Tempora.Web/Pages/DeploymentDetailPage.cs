using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Tempora.Core.Versioning;
using Tempora.Web.Markup;
using Tempora.Web.Rendering;
using Temporalio.Api.Deployment.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Web.Pages;

/// <summary>
/// /namespaces/{ns}/worker-deployments/{deployment}: one deployment (DescribeWorkerDeployment): its routing (current
/// and ramping version), its versions with status and drainage, and the forms that change the routing or delete it
/// (<see cref="DeploymentActions"/>). The forms carry the conflict token of the describe the page showed, so a change
/// someone made since is refused by the server instead of overwritten.
/// </summary>
internal static class DeploymentDetailPage
{
    public static Task RenderAsync(UiRequest request) =>
        RenderAsync(request, Notice(request.Query("done")), StatusCodes.Status200OK, DeploymentChoice.None);

    /// <summary>The page with a banner on top (an action's outcome or refusal) and the choice the refused form held.</summary>
    public static async Task RenderAsync(UiRequest request, Html banner, int statusCode, DeploymentChoice choice)
    {
        var ns = request.RequiredNamespace;
        var name = request.RouteValue("deployment")!;
        DescribeWorkerDeploymentResponse description;
        try
        {
            description = await request.CallAsync<DescribeWorkerDeploymentRequest, DescribeWorkerDeploymentResponse>(
                new() { Namespace = ns, DeploymentName = name });
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unimplemented)
        {
            await DeploymentView.WriteUnimplementedAsync(request, ns, e);
            return;
        }
        await request.WritePageAsync($"Worker deployment {name}", Render(ns, description, banner, choice), statusCode);
    }

    private static Html Notice(string done) => done switch
    {
        "set-current" => Html.Of($"<p class=\"notice\" role=\"status\">Current version set.</p>"),
        "set-ramping" => Html.Of($"<p class=\"notice\" role=\"status\">Ramping version set.</p>"),
        "stop-ramping" => Html.Of($"<p class=\"notice\" role=\"status\">Ramp stopped.</p>"),
        "delete-version" => Html.Of($"<p class=\"notice\" role=\"status\">Version deleted.</p>"),
        _ => Html.Empty,
    };

    /// <summary>The page's content for a description (apart from the call, so that it can be checked on its own).</summary>
    public static Html Render(string ns, DescribeWorkerDeploymentResponse description, Html banner, DeploymentChoice choice)
    {
        var info = description.WorkerDeploymentInfo ?? new WorkerDeploymentInfo();
        var routing = info.RoutingConfig ?? new RoutingConfig();
        var url = Format.DeploymentUrl(ns, info.Name);
        var w = new HtmlWriter();
        w.Write($"""
            <p class="crumbs"><a href="{Format.DeploymentsUrl(ns)}">Worker deployments</a> / {info.Name}</p>
            <h1>Worker deployment <span class="deployment-name">{info.Name}</span></h1>
            {banner}
            <section class="card routing"><h2>Routing</h2>
            <dl class="summary">
            <dt>Current version</dt><dd class="current-version">{DeploymentView.Link(ns, DeploymentView.Current(routing))}</dd>
            <dt>Current since</dt><dd>{Format.Time(routing.CurrentVersionChangedTime)}</dd>
            <dt>Ramping version</dt><dd class="ramping-version">{DeploymentView.Ramp(ns, routing)}</dd>
            <dt>Ramping since</dt><dd>{Format.Time(routing.RampingVersionChangedTime)}</dd>
            <dt>Ramp changed</dt><dd>{Format.Time(routing.RampingVersionPercentageChangedTime)}</dd>
            <dt>Created</dt><dd>{Format.Time(info.CreateTime)}</dd>
            <dt>Last changed by</dt><dd class="last-modifier">{(info.LastModifierIdentity.Length > 0 ? Html.Text(info.LastModifierIdentity) : Html.Of($"<span class=\"muted\">–</span>"))}</dd>
            </dl>
            <p class="small">New workflows on this deployment's task queues start on the current version, or on the ramping version for its share of workflow ids; pinned workflows stay on their version. <a href="{Format.ListUrl(ns, $"TemporalWorkerDeployment = {Format.Quote(info.Name)}")}">Workflows of this deployment</a></p>
            </section>
            """);
        WriteVersions(w, ns, info);
        WriteActions(w, url, info, routing, description.ConflictToken, choice);
        return w.ToHtml();
    }

    private static void WriteVersions(HtmlWriter w, string ns, WorkerDeploymentInfo info)
    {
        w.Write($"<section class=\"card\"><h2>Versions</h2>");
        if (info.VersionSummaries.Count == 0)
        {
            w.Write($"<p class=\"empty\">No versions: each appears when a worker of it first polls.</p></section>");
            return;
        }
        w.Write($"""
            <div class="scroll"><table class="versions">
            <thead><tr><th>Build ID</th><th>Status</th><th>Drainage</th><th>Created</th><th>Current since</th><th>Ramping since</th><th>Routing changed</th><th>First activation</th><th>Last deactivation</th></tr></thead>
            <tbody>
            """);
        foreach (var summary in info.VersionSummaries)
        {
            var version = DeploymentView.Version(summary);
            var buildId = version?.BuildId ?? "";
#pragma warning disable CS0612 // status arrived after drainage_status; both are read
            w.Write($"""
                <tr data-build-id="{buildId}">
                <td class="build-id">{(version is null ? Html.Of($"<span class=\"muted\">unversioned</span>") : DeploymentView.BuildIdLink(ns, info.Name, buildId))}</td>
                <td class="version-status">{DeploymentView.Status(summary.Status)}</td>
                <td>{DeploymentView.Drainage(summary.DrainageInfo ?? (summary.DrainageStatus == 0 ? null : new VersionDrainageInfo { Status = summary.DrainageStatus }))}</td>
                <td>{Format.Time(summary.CreateTime)}</td>
                <td>{Format.Time(summary.CurrentSinceTime)}</td>
                <td>{Format.Time(summary.RampingSinceTime)}</td>
                <td>{Format.Time(summary.RoutingUpdateTime)}</td>
                <td>{Format.Time(summary.FirstActivationTime)}</td>
                <td>{Format.Time(summary.LastDeactivationTime)}</td>
                </tr>
                """);
#pragma warning restore CS0612
        }
        w.Write($"</tbody></table></div></section>");
    }

    private static void WriteActions(HtmlWriter w, string url, WorkerDeploymentInfo info, RoutingConfig routing, ByteString token, DeploymentChoice choice)
    {
        var buildIds = info.VersionSummaries.Select(DeploymentView.Version).OfType<DeploymentVersion>().Select(v => v.BuildId).ToList();
        var current = DeploymentView.Current(routing)?.BuildId ?? DeploymentChoice.Unversioned;
        var ramping = DeploymentView.Ramping(routing)?.BuildId ?? (DeploymentView.RampsUnversioned(routing) ? DeploymentChoice.Unversioned : null);
        // The token of the describe this page showed: the server refuses a change if the routing changed since.
        var currentChoice = choice.Action == "set-current" ? choice : DeploymentChoice.None;
        var rampChoice = choice.Action == "set-ramping" ? choice : DeploymentChoice.None;
        var conflictToken = Html.Of($"<input type=\"hidden\" name=\"conflict-token\" value=\"{WebEncoders.Base64UrlEncode(token.Span)}\">");
        w.Write($"""
            <section class="card actions"><h2>Actions</h2>
            <details{Open(choice.Action == "set-current")}><summary>Set current version</summary>
            <form method="post" action="{url}/set-current" class="set-current" data-confirm="Send new workflows of {info.Name} to this version?">
            <p class="small">New workflows and auto-upgrade workflows move to it; the version it replaces starts draining.</p>
            <label>Version <select name="build-id">{Options(buildIds, currentChoice.BuildId ?? current, withUnversioned: true)}</select></label>
            <label class="inline"><input type="checkbox" name="ignore-missing-task-queues" value="true"{Checked(currentChoice.IgnoreMissingTaskQueues)}> even if it does not poll every active task queue of the current version</label>
            {conflictToken}
            <button type="submit">Set current</button>
            </form></details>
            <details{Open(choice.Action == "set-ramping")}><summary>Set ramping version</summary>
            <form method="post" action="{url}/set-ramping" class="set-ramping" data-confirm="Ramp new workflows of {info.Name} to this version?">
            <p class="small">This share of workflow ids starts on the ramping version instead of the current one.</p>
            <label>Version <select name="build-id">{Options(buildIds.Where(b => b != current).ToList(), rampChoice.BuildId ?? ramping, withUnversioned: current != DeploymentChoice.Unversioned)}</select></label>
            <label>Percentage <input type="number" name="percentage" min="0" max="100" step="any" required value="{rampChoice.Percentage ?? (ramping is null ? "" : routing.RampingVersionPercentage.ToString(System.Globalization.CultureInfo.InvariantCulture))}"></label>
            <label class="inline"><input type="checkbox" name="ignore-missing-task-queues" value="true"{Checked(rampChoice.IgnoreMissingTaskQueues)}> even if it does not poll every active task queue of the current version</label>
            {conflictToken}
            <button type="submit">Set ramping</button>
            </form>
            """);
        if (ramping is not null)
        {
            w.Write($"""
                <form method="post" action="{url}/stop-ramping" class="stop-ramping" data-confirm="Stop the ramp of {info.Name}?">
                {conflictToken}
                <button type="submit" class="warn">Stop ramping</button>
                </form>
                """);
        }
        w.Write($"""
            </details>
            <details><summary>Delete deployment</summary>
            <form method="post" action="{url}/delete" class="delete-deployment" data-confirm="Delete the worker deployment {info.Name}?">
            <p class="small">Only a deployment without versions can be deleted: delete its versions first.</p>
            <button type="submit" class="danger">Delete deployment</button>
            </form></details>
            </section>
            """);
    }

    private static Html Options(IReadOnlyList<string> buildIds, string? selected, bool withUnversioned)
    {
        var w = new HtmlWriter();
        foreach (var buildId in buildIds)
        {
            w.Write($"<option value=\"{buildId}\"{Html.SelectedIf(buildId == selected)}>{buildId}</option>");
        }
        if (withUnversioned)
        {
            w.Write($"<option value=\"{DeploymentChoice.Unversioned}\"{Html.SelectedIf(selected == DeploymentChoice.Unversioned)}>unversioned workers</option>");
        }
        return w.ToHtml();
    }


    private static Html Checked(bool on) => on ? Html.Of($" checked") : Html.Empty;

    private static Html Open(bool on) => on ? Html.Of($" open") : Html.Empty;
}
