using Tempora.Core;
using Tempora.Core.Versioning;
using Temporalio.Api.Deployment.V1;
using Temporalio.Api.Workflow.V1;

namespace Tempora.History.Execution;

/// <summary>
/// What a new run takes over from a pinned run that creates it (1.28's AddContinueAsNewEvent, retry.go and
/// processStartChildExecution): the pinned version as inherited_pinned_version, and a pinned override, when the new
/// run's task queue is the same, or is registered in that version. Unpinned runs pass on nothing: the new run's first
/// task follows its queue's current version.
/// </summary>
internal static class RunInheritance
{
    public static (WorkerDeploymentVersion? Version, VersioningOverride? Override) ForNewRun(
        MutableState s, string namespaceId, string taskQueue, IDeploymentRouting? routing)
    {
        if (RunVersioning.PinnedVersion(s) is not { } pinned || namespaceId != s.NamespaceId)
        {
            return (null, null);
        }
        var fits = taskQueue == s.TaskQueue || (routing?.IsRegistered(s.NamespaceId, pinned, taskQueue, TaskKind.Workflow) ?? true);
        if (!fits)
        {
            return (null, null);
        }
        return (pinned.ToProto(), s.VersioningInfo?.VersioningOverride is { Pinned: not null } o ? o : null);
    }

    /// <summary>
    /// A retry or cron run (same task queue): a pinned override always; the pinned version only for a retry of a run
    /// that started with an inherited version and is still effectively pinned.
    /// </summary>
    public static (WorkerDeploymentVersion? Version, VersioningOverride? Override) ForRepeat(MutableState s, bool retry)
    {
        var pinnedOverride = s.VersioningInfo?.VersioningOverride is { Pinned: not null } o ? o : null;
        var inherited = retry && s.StartedAttributes?.InheritedPinnedVersion is not null && RunVersioning.PinnedVersion(s) is { } pinned
            ? pinned.ToProto()
            : null;
        return (inherited, pinnedOverride);
    }

    /// <summary>
    /// A continue-as-new's initial_versioning_behavior (newer than 1.28, sent by current SDKs): AUTO_UPGRADE drops the
    /// inherited version, so the first task follows the queue's current version; USE_RAMPING_VERSION sends the first
    /// task to the ramping version, recorded as the version the new run inherits (the first completion then records
    /// the behavior the code declares), or, with no ramping version, to the current one. A pinned override is kept
    /// either way.
    /// </summary>
    public static WorkerDeploymentVersion? ForContinueAsNew(Temporalio.Api.Enums.V1.ContinueAsNewVersioningBehavior behavior,
        WorkerDeploymentVersion? inherited, string namespaceId, string taskQueue, IDeploymentRouting? routing, string workflowId) =>
        behavior switch
        {
            Temporalio.Api.Enums.V1.ContinueAsNewVersioningBehavior.AutoUpgrade => null,
            Temporalio.Api.Enums.V1.ContinueAsNewVersioningBehavior.UseRampingVersion =>
                routing?.For(namespaceId, taskQueue, TaskKind.Workflow) is { IsRamping: true, Ramping: { } ramping } ? ramping.ToProto() : null,
            _ => inherited,
        };
}
