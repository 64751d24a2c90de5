using Tempora.Core.Versioning;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Workflow.V1;

namespace Tempora.History.Execution;

/// <summary>
/// A run's versioning as Temporal 1.28 reads it from its <see cref="MutableState.VersioningInfo"/>: the override first,
/// then what the last completed workflow task recorded (GetEffectiveVersioningBehavior / GetEffectiveDeployment).
/// Tempora records no version transitions, so the transition step of 1.28's order never applies.
/// </summary>
internal static class RunVersioning
{
    public static VersioningBehavior EffectiveBehavior(MutableState s)
    {
        var info = s.VersioningInfo;
        if (info?.VersioningOverride is { } o)
        {
            if (o.AutoUpgrade)
            {
                return VersioningBehavior.AutoUpgrade;
            }
            if (o.Pinned is not null)
            {
                return VersioningBehavior.Pinned;
            }
        }
        return info?.Behavior ?? VersioningBehavior.Unspecified;
    }

    /// <summary>The version the run's tasks belong to: the pinned override's, else the recorded one while it has a behavior.</summary>
    public static DeploymentVersion? EffectiveVersion(MutableState s)
    {
        var info = s.VersioningInfo;
        if (info is null)
        {
            return null;
        }
        if (info.VersioningOverride?.Pinned is { } pinned)
        {
            return DeploymentVersion.FromProto(pinned.Version);
        }
        return EffectiveBehavior(s) != VersioningBehavior.Unspecified ? DeploymentVersion.FromProto(info.DeploymentVersion) : null;
    }

    /// <summary>The version whose pollers alone may take the run's tasks; null unless the run is effectively pinned.</summary>
    public static DeploymentVersion? PinnedVersion(MutableState s) =>
        EffectiveBehavior(s) == VersioningBehavior.Pinned ? EffectiveVersion(s) : null;

    /// <summary>What routing depends on, to tell whether a change must re-dispatch the pending tasks.</summary>
    public static (VersioningBehavior, DeploymentVersion?) Effective(MutableState s) => (EffectiveBehavior(s), EffectiveVersion(s));

    /// <summary>The TemporalWorkerDeployment search attribute: the pinned override's deployment, else the recorded one.</summary>
    public static string DeploymentSearchAttribute(MutableState s) =>
        s.VersioningInfo?.VersioningOverride?.Pinned?.Version?.DeploymentName ?? s.WorkerDeploymentName;

    /// <summary>TemporalWorkerDeploymentVersion (<c>name:build</c>): the pinned override's version, else the recorded one.</summary>
    public static string VersionSearchAttribute(MutableState s)
    {
        var version = DeploymentVersion.FromProto(s.VersioningInfo?.VersioningOverride?.Pinned?.Version)
            ?? DeploymentVersion.FromProto(s.VersioningInfo?.DeploymentVersion);
        return version?.ToSearchAttributeString() ?? "";
    }

    /// <summary>TemporalWorkflowVersioningBehavior: the override's behavior, else the recorded one.</summary>
    public static VersioningBehavior BehaviorSearchAttribute(MutableState s) => EffectiveBehavior(s);

    /// <summary>The versioning info as DescribeWorkflowExecution answers it, with the deprecated v0.31 string filled in.</summary>
    public static WorkflowExecutionVersioningInfo? Describe(MutableState s)
    {
        if (s.VersioningInfo is not { } info)
        {
            return null;
        }
        var described = info.Clone();
#pragma warning disable CS0612, CS0618 // the v0.31 string 1.28 still fills in for older clients
        described.Version = DeploymentVersion.FromProto(info.DeploymentVersion)?.ToCanonicalString() ?? "";
#pragma warning restore CS0612, CS0618
        return described;
    }
}
