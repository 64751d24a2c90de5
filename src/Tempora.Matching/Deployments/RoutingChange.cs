using Tempora.Persistence.Deployments;
using Temporalio.Api.Enums.V1;

namespace Tempora.Matching.Deployments;

/// <summary>
/// The state transitions of a routing change, as Temporal 1.28's deployment and version workflows make them: a version
/// that becomes current or ramping is activated (status, since-times, routing time, first activation; drainage
/// cleared); one that stops being either starts draining (DRAINING, last deactivation). The token and routing times
/// move with every change.
/// </summary>
public static class RoutingChange
{
    /// <summary>Makes <paramref name="buildId"/> (null: unversioned) current. Setting the ramping version current ends the ramp.</summary>
    public static WorkerDeploymentRecord SetCurrent(WorkerDeploymentRecord d, string? buildId, string identity, DateTimeOffset now)
    {
        var previous = d.CurrentBuildId;
        var endsRamp = d.RampingBuildId is not null && d.RampingBuildId == (buildId ?? "");
        var versions = d.Versions.Select(v =>
        {
            if (v.BuildId == buildId)
            {
                return Activate(v, now) with { Status = WorkerDeploymentVersionStatus.Current, CurrentSinceTime = now, RampingSinceTime = null, RampPercentage = 0 };
            }
            return v.BuildId == previous ? Deactivate(v, now) : v;
        }).ToList();
        return Touched(d with
        {
            CurrentBuildId = buildId,
            CurrentChangedTime = now,
            RampingBuildId = endsRamp ? null : d.RampingBuildId,
            RampPercentage = endsRamp ? 0 : d.RampPercentage,
            RampingChangedTime = endsRamp ? now : d.RampingChangedTime,
            RampPercentageChangedTime = endsRamp ? now : d.RampPercentageChangedTime,
            Versions = versions,
        }, identity, now);
    }

    /// <summary>Ramps <paramref name="rampingBuildId"/> ("" the unversioned ramp, null no ramp) at <paramref name="percentage"/>.</summary>
    public static WorkerDeploymentRecord SetRamping(WorkerDeploymentRecord d, string? rampingBuildId, float percentage, string identity,
        DateTimeOffset now)
    {
        var previous = d.RampingBuildId;
        var sameTarget = previous == rampingBuildId;
        var versions = d.Versions.Select(v =>
        {
            if (v.BuildId == rampingBuildId)
            {
                var ramping = sameTarget ? v : Activate(v, now) with { RampingSinceTime = now };
                return ramping with { Status = WorkerDeploymentVersionStatus.Ramping, RampPercentage = percentage, RoutingUpdateTime = now };
            }
            return !sameTarget && v.BuildId == previous ? Deactivate(v, now) : v;
        }).ToList();
        return Touched(d with
        {
            RampingBuildId = rampingBuildId,
            RampPercentage = rampingBuildId is null ? 0 : percentage,
            RampingChangedTime = sameTarget ? d.RampingChangedTime : now,
            RampPercentageChangedTime = now,
            Versions = versions,
        }, identity, now);
    }

    private static WorkerDeploymentRecord Touched(WorkerDeploymentRecord d, string identity, DateTimeOffset now) => d with
    {
        RoutingChangedTime = now,
        ConflictToken = d.NextConflictToken(now),
        LastModifierIdentity = identity,
    };

    private static WorkerDeploymentVersionRecord Activate(WorkerDeploymentVersionRecord v, DateTimeOffset now) => v with
    {
        RoutingUpdateTime = now,
        FirstActivationTime = v.FirstActivationTime ?? now,
        DrainageStatus = VersionDrainageStatus.Unspecified,
        DrainageChangedTime = null,
        DrainageCheckedTime = null,
    };

    private static WorkerDeploymentVersionRecord Deactivate(WorkerDeploymentVersionRecord v, DateTimeOffset now) => v with
    {
        Status = WorkerDeploymentVersionStatus.Draining,
        RoutingUpdateTime = now,
        CurrentSinceTime = null,
        RampingSinceTime = null,
        RampPercentage = 0,
        LastDeactivationTime = now,
        DrainageStatus = VersionDrainageStatus.Draining,
        DrainageChangedTime = now,
        DrainageCheckedTime = now,
    };
}
