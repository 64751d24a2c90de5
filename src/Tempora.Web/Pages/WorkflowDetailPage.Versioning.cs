using Tempora.Core.Versioning;
using Tempora.Web.Markup;
using Tempora.Web.Rendering;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Api.Workflow.V1;

namespace Tempora.Web.Pages;

/// <summary>A run's worker versioning: its behavior, deployment version, override and transition, and the events' gists.</summary>
internal static partial class WorkflowDetailPage
{
    /// <summary>
    /// The summary's versioning lines (DescribeWorkflowExecution's <c>versioning_info</c> and
    /// <c>worker_deployment_name</c>); nothing for a run no versioned worker has touched.
    /// </summary>
    internal static void WriteVersioning(HtmlWriter w, string ns, WorkflowExecutionInfo info)
    {
        var versioning = info.VersioningInfo;
        if (versioning is null && info.WorkerDeploymentName.Length == 0)
        {
            return;
        }
        if (info.WorkerDeploymentName.Length > 0)
        {
            w.Write($"<dt>Worker deployment</dt><dd class=\"worker-deployment\"><a href=\"{Format.DeploymentUrl(ns, info.WorkerDeploymentName)}\">{info.WorkerDeploymentName}</a></dd>");
        }
        if (versioning is null)
        {
            return;
        }
#pragma warning disable CS0612 // the deprecated string forms, for servers that fill in only those
        if (versioning.Behavior != VersioningBehavior.Unspecified)
        {
            w.Write($"<dt>Versioning behavior</dt><dd class=\"versioning-behavior\">{DeploymentView.Behavior(versioning.Behavior)}</dd>");
        }
        if (DeploymentView.Version(versioning.DeploymentVersion, versioning.Version) is { } version)
        {
            w.Write($"<dt>Deployment version</dt><dd class=\"deployment-version\">{DeploymentView.Link(ns, version)}</dd>");
        }
        if (DeploymentView.Override(versioning.VersioningOverride) is { Length: > 0 } versioningOverride)
        {
            w.Write($"<dt>Versioning override</dt><dd class=\"versioning-override\">{versioningOverride}</dd>");
        }
        if (versioning.VersionTransition is { } transition)
        {
            var target = DeploymentView.Version(transition.DeploymentVersion, transition.Version);
            w.Write($"<dt>Moving to</dt><dd class=\"version-transition\">{DeploymentView.Link(ns, target)}</dd>");
        }
#pragma warning restore CS0612
    }

    /// <summary>A completed workflow task's versioning: the behavior the worker declared and the version it ran on.</summary>
    private static string WorkflowTaskCompletedGist(WorkflowTaskCompletedEventAttributes completed)
    {
#pragma warning disable CS0612 // the deprecated string forms, for servers that fill in only those
        var version = DeploymentView.Version(completed.DeploymentVersion, completed.WorkerDeploymentVersion)
            ?? (completed.Deployment is { SeriesName.Length: > 0 } d ? new DeploymentVersion(d.SeriesName, d.BuildId) : null);
#pragma warning restore CS0612
        var behavior = completed.VersioningBehavior == VersioningBehavior.Unspecified ? "" : DeploymentView.Behavior(completed.VersioningBehavior);
        return (behavior, version) switch
        {
            ({ Length: > 0 }, { }) => $"{behavior} on {version.ToCanonicalString()}",
            ({ Length: > 0 }, null) => behavior,
            (_, { }) => $"on {version.ToCanonicalString()}",
            _ => "",
        };
    }

    /// <summary>A change of the run's options (UpdateWorkflowExecutionOptions): the override set, or that it was removed.</summary>
    private static string OptionsUpdatedGist(WorkflowExecutionOptionsUpdatedEventAttributes updated) =>
        updated.UnsetVersioningOverride ? "versioning override removed"
        : DeploymentView.Override(updated.VersioningOverride) is { Length: > 0 } text ? $"versioning override: {text}"
        : "";
}
