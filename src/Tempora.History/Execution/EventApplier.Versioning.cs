using Tempora.History.Visibility;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Api.Workflow.V1;

namespace Tempora.History.Execution;

/// <summary>
/// Worker versioning from events, as 1.28 applies it (ApplyWorkflowExecutionStartedEvent, afterAddWorkflowTaskCompletedEvent,
/// updateVersioningOverride). The versioning info is replaced, never changed in place: it may share members with events.
/// </summary>
internal static partial class EventApplier
{
    private static void ApplyStartedVersioning(MutableState s, WorkflowExecutionStartedEventAttributes a)
    {
        if (a.VersioningOverride is null && a.InheritedPinnedVersion is null)
        {
            return;
        }
        var info = new WorkflowExecutionVersioningInfo { VersioningOverride = a.VersioningOverride };
        if (a.InheritedPinnedVersion is { } inherited)
        {
            info.DeploymentVersion = inherited;
            info.Behavior = VersioningBehavior.Pinned;
        }
        s.VersioningInfo = info;
        s.WorkerDeploymentName = RunVersioning.EffectiveVersion(s)?.DeploymentName ?? "";
        if (RunVersioning.EffectiveBehavior(s) == VersioningBehavior.Pinned)
        {
            BuildIdsSearchAttribute.Record(s, a.SourceVersionStamp);
        }
    }

    /// <summary>
    /// The completing worker's deployment, version and behavior become the run's (an unversioned completion clears the
    /// version); then BuildIds and the deployment search attributes follow.
    /// </summary>
    private static void ApplyCompletedVersioning(MutableState s, WorkflowTaskCompletedEventAttributes a)
    {
        s.WorkerDeploymentName = a.WorkerDeploymentName;
        if (a.VersioningBehavior == VersioningBehavior.Unspecified)
        {
            if (s.VersioningInfo is { } existing)
            {
                var cleared = existing.Clone();
                cleared.Behavior = VersioningBehavior.Unspecified;
                cleared.DeploymentVersion = null;
                s.VersioningInfo = cleared;
            }
        }
        else
        {
            var info = s.VersioningInfo?.Clone() ?? new WorkflowExecutionVersioningInfo();
            info.Behavior = a.VersioningBehavior;
            info.DeploymentVersion = a.DeploymentVersion;
            s.VersioningInfo = info;
        }
        BuildIdsSearchAttribute.Record(s, a.WorkerVersion);
    }

    /// <summary>Sets or unsets the override (UpdateWorkflowExecutionOptions); a pinned one names the run's deployment.</summary>
    private static void ApplyOptionsUpdatedVersioning(MutableState s, WorkflowExecutionOptionsUpdatedEventAttributes a)
    {
        if (!a.UnsetVersioningOverride && a.VersioningOverride is null)
        {
            return;
        }
        var before = RunVersioning.Effective(s);
        if (a.VersioningOverride is { } o)
        {
            var info = s.VersioningInfo?.Clone() ?? new WorkflowExecutionVersioningInfo();
            info.VersioningOverride = o;
            s.VersioningInfo = info;
            if (o.Pinned?.Version is { } pinned)
            {
                s.WorkerDeploymentName = pinned.DeploymentName;
            }
        }
        else if (s.VersioningInfo is { } existing)
        {
            var info = existing.Clone();
            info.VersioningOverride = null;
            s.VersioningInfo = info;
            s.WorkerDeploymentName = info.DeploymentVersion?.DeploymentName ?? "";
        }
        else
        {
            s.WorkerDeploymentName = "";
        }
        if (RunVersioning.Effective(s) != before)
        {
            BuildIdsSearchAttribute.Record(s, null);
        }
    }
}
