using Tempora.Core.Versioning;

namespace Tempora.Persistence.Deployments;

/// <summary>The routing view of a stored deployment, for <see cref="IWorkerDeploymentStore.LoadRoutingAsync"/>.</summary>
public static class DeploymentRoutingOf
{
    public static DeploymentRouting Record(WorkerDeploymentRecord d, IReadOnlyList<RegisteredTaskQueue> taskQueues) => new(
        d.NamespaceId, d.Name,
        d.CurrentBuildId is { } current ? new DeploymentVersion(d.Name, current) : null,
        d.RampingBuildId is { Length: > 0 } ramping ? new DeploymentVersion(d.Name, ramping) : null,
        d.RampingBuildId is not null, d.RampPercentage, d.RoutingChangedTime, taskQueues);
}
