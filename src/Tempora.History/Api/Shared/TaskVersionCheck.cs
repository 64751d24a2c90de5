using Tempora.Core.Versioning;
using Tempora.History.Execution;
using Temporalio.Api.Deployment.V1;
using Temporalio.Api.Enums.V1;

namespace Tempora.History.Api;

/// <summary>
/// History's guard at a task's start: a run effectively pinned to a version runs its tasks only on that version's
/// pollers. Any other poller (another version's, or one without VERSIONED deployment options) is refused with
/// <see cref="TaskMisroutedException"/> before anything changes, and matching offers the task again to the right ones.
/// An unpinned run's task may start anywhere.
/// </summary>
internal static class TaskVersionCheck
{
    /// <summary>The version the poller serves; null for an unversioned poller.</summary>
    public static DeploymentVersion? PollerVersion(WorkerDeploymentOptions? options) =>
        options is { WorkerVersioningMode: WorkerVersioningMode.Versioned }
            ? new DeploymentVersion(options.DeploymentName, options.BuildId)
            : null;

    /// <summary>The version the task must go to instead, or null when this poller may take it.</summary>
    public static DeploymentVersion? Misrouted(MutableState s, WorkerDeploymentOptions? poller) =>
        RunVersioning.PinnedVersion(s) is { } pinned && PollerVersion(poller) != pinned ? pinned : null;

    /// <summary>As <see cref="Misrouted(MutableState, WorkerDeploymentOptions?)"/> for an activity: one on a queue its
    /// run's version has not registered is independent, and any poller may take it.</summary>
    public static DeploymentVersion? Misrouted(Transition t, string taskQueue, WorkerDeploymentOptions? poller) =>
        t.DirectiveFor(taskQueue, Tempora.Core.TaskKind.Activity) is { } pinned && PollerVersion(poller) != pinned ? pinned : null;
}
