using Tempora.Visibility;

namespace Tempora.Persistence;

/// <summary>An opened store: the contract's parts over one database (or two: main and visibility).</summary>
public interface IPersistence : IAsyncDisposable
{
    IExecutionStore Executions { get; }

    INamespaceStore Namespaces { get; }

    IVisibilityStore Visibility { get; }

    Schedules.IScheduleStore Schedules { get; }

    Batches.IBatchStore Batches { get; }

    Nexus.INexusEndpointStore NexusEndpoints { get; }

    Deployments.IWorkerDeploymentStore WorkerDeployments { get; }

    /// <summary>The shard lease rows when several processes can share this store (PostgreSQL); null when one process
    /// owns it alone (SQLite).</summary>
    IShardLeaseStore? ShardLeases { get; }

    /// <summary>The outbox that applies visibility rows after their transition commits (PostgreSQL), for the server to
    /// start and readiness to report; null when each transition writes its visibility row itself (SQLite).</summary>
    IVisibilityOutbox? VisibilityOutbox { get; }

    /// <summary>Where the data lives, for logs (no secrets).</summary>
    string Description { get; }

    /// <summary>
    /// A real write that changes nothing, committed as durably as any transition (readiness runs it): it fails when
    /// the database is up but cannot take writes (a read-only file or standby, a full disk).
    /// </summary>
    Task ProbeWriteAsync(CancellationToken ct);
}
