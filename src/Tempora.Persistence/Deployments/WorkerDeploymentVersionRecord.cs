using Tempora.Core;
using Temporalio.Api.Enums.V1;

namespace Tempora.Persistence.Deployments;

/// <summary>
/// One version (build id) of a deployment as stored: its status and routing times, its drainage (status, when it last
/// changed and was last checked), its metadata (a serialized VersionMetadata, null when empty) and the task queues its
/// pollers registered.
/// </summary>
public sealed record WorkerDeploymentVersionRecord(
    string BuildId, DateTimeOffset CreateTime, WorkerDeploymentVersionStatus Status,
    DateTimeOffset? RoutingUpdateTime, DateTimeOffset? CurrentSinceTime, DateTimeOffset? RampingSinceTime, float RampPercentage,
    DateTimeOffset? FirstActivationTime, DateTimeOffset? LastDeactivationTime,
    VersionDrainageStatus DrainageStatus, DateTimeOffset? DrainageChangedTime, DateTimeOffset? DrainageCheckedTime,
    byte[]? Metadata, IReadOnlyList<VersionTaskQueue> TaskQueues)
{
    public static WorkerDeploymentVersionRecord Registered(string buildId, DateTimeOffset now) => new(
        buildId, now, WorkerDeploymentVersionStatus.Inactive, null, null, null, 0, null, null,
        VersionDrainageStatus.Unspecified, null, null, null, []);
}

/// <summary>A task queue and type a version's pollers registered.</summary>
public sealed record VersionTaskQueue(string Name, TaskKind Kind);
