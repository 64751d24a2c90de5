using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Tempora.Core.Versioning;
using Tempora.Web.Markup;
using Tempora.Web.Rendering;
using Temporalio.Api.Deployment.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Workflow.V1;

namespace Tempora.Web.Pages;

/// <summary>
/// How worker deployments, their versions and a run's versioning read on every page. The API carries each version
/// twice (a structured <c>deployment_version</c> and a deprecated string); the structure is read first, as Temporal 1.28
/// reads it, and the string is the fallback for servers that fill in only that.
/// </summary>
internal static class DeploymentView
{
    /// <summary>A version from its structure, else its string (either form); null for none or "__unversioned__".</summary>
    public static DeploymentVersion? Version(WorkerDeploymentVersion? structured, string? text)
    {
        if (DeploymentVersion.FromProto(structured) is { } version)
        {
            return version;
        }
        return text is { Length: > 0 } && text != DeploymentVersion.UnversionedString && DeploymentVersion.TryParse(text, out var parsed)
            ? parsed
            : null;
    }

    /// <summary>A version linked to its page, or "unversioned" (the workers without a version).</summary>
    public static Html Link(string ns, DeploymentVersion? version) => version is null
        ? Html.Of($"<span class=\"muted\">unversioned</span>")
        : Html.Of($"<a class=\"mono\" href=\"{Format.DeploymentVersionUrl(ns, version.DeploymentName, version.BuildId)}\">{version.ToCanonicalString()}</a>");

    /// <summary>A build id of the deployment on its page, linked to the version's page.</summary>
    public static Html BuildIdLink(string ns, string deploymentName, string buildId) =>
        Html.Of($"<a class=\"mono\" href=\"{Format.DeploymentVersionUrl(ns, deploymentName, buildId)}\">{buildId}</a>");

#pragma warning disable CS0612 // the deprecated string fields, read when a server fills in only those
    public static DeploymentVersion? Current(RoutingConfig? routing) =>
        routing is null ? null : Version(routing.CurrentDeploymentVersion, routing.CurrentVersion);

    public static DeploymentVersion? Ramping(RoutingConfig? routing) =>
        routing is null ? null : Version(routing.RampingDeploymentVersion, routing.RampingVersion);

    /// <summary>Whether the ramp goes to the unversioned workers ("__unversioned__" as the ramping version).</summary>
    public static bool RampsUnversioned(RoutingConfig? routing) =>
        routing is not null && Ramping(routing) is null && routing.RampingVersion == DeploymentVersion.UnversionedString;

    public static DeploymentVersion? Version(WorkerDeploymentInfo.Types.WorkerDeploymentVersionSummary summary) =>
        Version(summary.DeploymentVersion, summary.Version);

    public static DeploymentVersion? Version(WorkerDeploymentVersionInfo info) => Version(info.DeploymentVersion, info.Version);
#pragma warning restore CS0612

    /// <summary>The ramp in words: the version and its share of new workflows, or "none".</summary>
    public static Html Ramp(string ns, RoutingConfig? routing)
    {
        var ramping = Ramping(routing);
        if (ramping is null && !RampsUnversioned(routing))
        {
            return Html.Of($"<span class=\"muted\">none</span>");
        }
        return Html.Of($"{Link(ns, ramping)} at <span class=\"ramp-percentage\">{Percentage(routing!.RampingVersionPercentage)}</span>");
    }

    public static string Percentage(float percentage) =>
        percentage.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture) + "%";

    public static Html Status(WorkerDeploymentVersionStatus status)
    {
        var name = StatusName(status);
        return Html.Of($"<span class=\"status version-{name.ToLowerInvariant()}\">{name}</span>");
    }

    public static string StatusName(WorkerDeploymentVersionStatus status) => status switch
    {
        WorkerDeploymentVersionStatus.Unspecified => "Unspecified",
        _ => status.ToString(),
    };

    /// <summary>Drainage of a version no longer current or ramping: whether pinned workflows still run on it.</summary>
    public static Html Drainage(VersionDrainageInfo? drainage) => drainage is null || drainage.Status == VersionDrainageStatus.Unspecified
        ? Html.Of($"<span class=\"muted\">–</span>")
        : Html.Of($"<span class=\"drainage\">{drainage.Status.ToString()}</span> <span class=\"muted small\">checked {Format.Time(drainage.LastCheckedTime)}</span>");

    public static string Behavior(VersioningBehavior behavior) => behavior switch
    {
        VersioningBehavior.Pinned => "Pinned",
        VersioningBehavior.AutoUpgrade => "Auto-upgrade",
        _ => "Unspecified",
    };

    /// <summary>
    /// A versioning override in words: "Pinned to name.build" or "Auto-upgrade", from the v0.32 oneof or the deprecated
    /// behavior with its version; empty when the override has neither.
    /// </summary>
    public static string Override(VersioningOverride? versioningOverride)
    {
        if (versioningOverride is null)
        {
            return "";
        }
        switch (versioningOverride.OverrideCase)
        {
            case VersioningOverride.OverrideOneofCase.Pinned:
                return $"Pinned to {Version(versioningOverride.Pinned.Version, null)?.ToCanonicalString() ?? "?"}";
            case VersioningOverride.OverrideOneofCase.AutoUpgrade when versioningOverride.AutoUpgrade:
                return "Auto-upgrade";
        }
#pragma warning disable CS0612 // the deprecated form: behavior with pinned_version or deployment
        return versioningOverride.Behavior switch
        {
            VersioningBehavior.Pinned => $"Pinned to {(Version(null, versioningOverride.PinnedVersion)
                ?? (versioningOverride.Deployment is { } d ? new DeploymentVersion(d.SeriesName, d.BuildId) : null))?.ToCanonicalString() ?? "?"}",
            VersioningBehavior.AutoUpgrade => "Auto-upgrade",
            _ => "",
        };
#pragma warning restore CS0612
    }

    /// <summary>
    /// The page for an RPC the server does not serve: the deployment RPCs arrived in Temporal 1.28, and an older or
    /// partial server answers Unimplemented. Says so in words, with the server's message.
    /// </summary>
    public static Task WriteUnimplementedAsync(UiRequest request, string ns, RpcException error) =>
        request.WritePageAsync("Worker deployments", Unimplemented(ns, error.Status.Detail), StatusCodes.Status501NotImplemented);

    public static Html Unimplemented(string ns, string detail) => Html.Of($"""
        <p class="crumbs"><a href="{Format.WorkflowsUrl(ns)}">Workflows</a> / worker deployments</p>
        <h1>Worker deployments</h1>
        <p class="error unimplemented" role="alert">This server does not serve worker deployments: it answered Unimplemented ({detail}).</p>
        <p>Worker deployments and versions come with worker versioning (Temporal 1.28's API). Workers without deployment options are not affected.</p>
        """);
}
