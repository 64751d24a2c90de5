namespace Tempora.Core.Versioning;

/// <summary>
/// The worker deployments' routing as this process knows it, read from memory on the task path: where a queue's new
/// and unpinned tasks go, and which queues each version has registered. Kept in step with the store by
/// <see cref="IDeploymentRoutingPropagation"/> after every change, and reloaded now and then as a safety net.
/// </summary>
public interface IDeploymentRouting
{
    TaskQueueRouting For(string namespaceId, string taskQueue, TaskKind kind);

    /// <summary>Whether <paramref name="version"/> has pollers' registration of the queue (an activity on a queue its
    /// workflow's pinned version lacks is independent: routed as unpinned).</summary>
    bool IsRegistered(string namespaceId, DeploymentVersion version, string taskQueue, TaskKind kind);
}

/// <summary>
/// Makes every process of the cluster take up a routing change before the RPC that made it answers, as Temporal's
/// deployment workflows wait for the task queues' user data to propagate: a workflow started right after a
/// successful SetWorkerDeploymentCurrentVersion is routed by the new current version, whichever replica it lands on.
/// </summary>
public interface IDeploymentRoutingPropagation
{
    Task PropagateAsync(CancellationToken ct);
}
