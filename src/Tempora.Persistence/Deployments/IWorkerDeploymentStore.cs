using Tempora.Core;
using Tempora.Core.Versioning;

namespace Tempora.Persistence.Deployments;

/// <summary>
/// Worker deployments, their versions and the task queues each version's pollers registered, per namespace. Rows,
/// not Temporal's system workflows: a change is one transaction, and every replica on the same database reads it.
/// </summary>
public interface IWorkerDeploymentStore
{
    /// <summary>
    /// Records that a versioned poller of <paramref name="taskQueue"/> (<paramref name="kind"/>) runs
    /// <paramref name="version"/>: creates the deployment (current: unversioned) and the version (INACTIVE) when new,
    /// and the task queue's row. Idempotent, and safe when two replicas race on it. True when anything was added.
    /// Throws <see cref="DeploymentLimitException"/> when a limit would be passed.
    /// </summary>
    Task<bool> RegisterAsync(string namespaceId, DeploymentVersion version, string taskQueue, TaskKind kind,
        DateTimeOffset now, CancellationToken ct);

    /// <summary>Every deployment's routing and registered task queues, cluster-wide, for the in-memory routing view.</summary>
    Task<DeploymentRoutingSnapshot> LoadRoutingAsync(CancellationToken ct);
}

/// <summary>A registration would pass one of Temporal's limits; the message is Temporal's.</summary>
public sealed class DeploymentLimitException(string message) : Exception(message);

/// <summary>The routing of every deployment, as <see cref="IWorkerDeploymentStore.LoadRoutingAsync"/> reads it.</summary>
public sealed record DeploymentRoutingSnapshot(IReadOnlyList<DeploymentRouting> Deployments)
{
    public static DeploymentRoutingSnapshot Empty { get; } = new([]);
}

/// <summary>
/// One deployment's routing: its current version (null: unversioned) and ramping version (<paramref name="IsRamping"/>
/// false: none; a null <paramref name="Ramping"/> while ramping: the unversioned ramp), when the current version last
/// changed (a queue in two deployments follows the latest change), and for each version the task queues registered.
/// </summary>
public sealed record DeploymentRouting(
    string NamespaceId, string DeploymentName, DeploymentVersion? Current, DeploymentVersion? Ramping, bool IsRamping,
    float RampPercentage, DateTimeOffset RoutingChangedTime, IReadOnlyList<RegisteredTaskQueue> TaskQueues);

/// <summary>One task queue (and type) a version's pollers registered.</summary>
public sealed record RegisteredTaskQueue(string BuildId, string TaskQueue, TaskKind Kind);
