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
    /// <remarks>
    /// At the versions limit the oldest version eligible for deletion (INACTIVE or DRAINED, and without pollers as
    /// <paramref name="hasPollers"/> tells; null: none has) is deleted to make room, as Temporal 1.28 does.
    /// </remarks>
    Task<bool> RegisterAsync(string namespaceId, DeploymentVersion version, string taskQueue, TaskKind kind,
        DateTimeOffset now, CancellationToken ct, Func<DeploymentVersion, IReadOnlyList<VersionTaskQueue>, bool>? hasPollers = null);

    /// <summary>The deployment with its versions (newest first) and their task queues, or null.</summary>
    Task<WorkerDeploymentRecord?> GetAsync(string namespaceId, string name, CancellationToken ct);

    /// <summary>Up to <paramref name="limit"/> deployments of the namespace in ordinal name order, after
    /// <paramref name="afterName"/> when given, each with its versions.</summary>
    Task<IReadOnlyList<WorkerDeploymentRecord>> ListAsync(string namespaceId, string? afterName, int limit, CancellationToken ct);

    /// <summary>
    /// Writes the deployment's routing columns and each of its versions' state and metadata, and deletes the versions
    /// (and their task queues) no longer in <paramref name="deployment"/>, if the row is still at its RowVersion (which
    /// moves on by one). Throws <see cref="WorkerDeploymentChangedException"/> otherwise. Task queues are added only by
    /// registration.
    /// </summary>
    Task UpdateAsync(WorkerDeploymentRecord deployment, CancellationToken ct);

    /// <summary>Deletes the deployment if it is still at <paramref name="expectedRowVersion"/> and has no version;
    /// throws <see cref="WorkerDeploymentChangedException"/> otherwise.</summary>
    Task DeleteAsync(string namespaceId, string name, long expectedRowVersion, CancellationToken ct);

    /// <summary>Every deployment's routing and registered task queues, cluster-wide, for the in-memory routing view.</summary>
    Task<DeploymentRoutingSnapshot> LoadRoutingAsync(CancellationToken ct);
}

/// <summary>A registration would pass one of Temporal's limits; the message is Temporal's.</summary>
public sealed class DeploymentLimitException(string message) : Exception(message)
{
    public const int MaxDeploymentsPerNamespace = 100;
    public const int MaxVersionsPerDeployment = 100;
    public const int MaxTaskQueuesPerVersion = 100;

    public static DeploymentLimitException Deployments() =>
        new($"reached maximum deployments in namespace ({MaxDeploymentsPerNamespace})");

    public static DeploymentLimitException Versions(DeploymentVersion version) =>
        new($"cannot add version {version.ToCanonicalString()} since maximum number of versions ({MaxVersionsPerDeployment}) have been registered in the deployment");

    public static DeploymentLimitException TaskQueues(string taskQueue) =>
        new($"cannot add task queue {taskQueue} since maximum number of task queues ({MaxTaskQueuesPerVersion}) have been registered in deployment");
}

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
