using Npgsql;
using Tempora.Core;
using Tempora.Persistence.Batches;
using Tempora.Persistence.Nexus;
using Tempora.Persistence.Schedules;
using Tempora.Visibility;

namespace Tempora.Persistence.Postgres;

/// <summary>
/// The PostgreSQL store: a pooled data source per database. Npgsql discards a pooled connection that broke (server
/// restart, failover) and opens a new one on next use, so the process reconnects by itself; a request that was in
/// flight fails and is retried by the SDK.
/// </summary>
public sealed class PostgresPersistence : IPersistence
{
    private readonly NpgsqlDataSource _main;
    private readonly NpgsqlDataSource _visibility;

    private readonly PostgresExecutionStore _executions;
    private readonly PostgresVisibilityStore _visibilityStore;

    private PostgresPersistence(PostgresSettings settings)
    {
        _main = NpgsqlDataSource.Create(settings.ConnectionString(settings.Database));
        _visibility = NpgsqlDataSource.Create(settings.ConnectionString(settings.VisibilityDatabase));
        _visibilityStore = new PostgresVisibilityStore(_main, _visibility);
        Executions = _executions = new PostgresExecutionStore(_main, _visibilityStore);
        Namespaces = new PostgresNamespaceStore(_main, _visibility);
        Schedules = new PostgresScheduleStore(_main, _visibilityStore);
        Batches = new PostgresBatchStore(_main);
        NexusEndpoints = new PostgresNexusEndpointStore(_main);
        WorkerDeployments = new PostgresWorkerDeploymentStore(_main);
        ShardLeases = new PostgresShardLeaseStore(_main);
        Description = settings.ToString();
    }

    public IExecutionStore Executions { get; }

    public INamespaceStore Namespaces { get; }

    public IVisibilityStore Visibility => _visibilityStore;

    public IScheduleStore Schedules { get; }

    public IBatchStore Batches { get; }

    public INexusEndpointStore NexusEndpoints { get; }

    public Deployments.IWorkerDeploymentStore WorkerDeployments { get; }

    public IShardLeaseStore? ShardLeases { get; }

    /// <summary>Transitions enqueue visibility rows in their own transaction; this applies them to the visibility database.</summary>
    public IVisibilityOutbox VisibilityOutbox => _visibilityStore;

    public string Description { get; }

    /// <summary>Opens the store. With <paramref name="migrate"/> the schema is set up first (start-dev, tests);
    /// otherwise a schema at another version is refused with the command that fixes it.</summary>
    public static async Task<PostgresPersistence> OpenAsync(PostgresSettings settings, bool migrate, CancellationToken ct)
    {
        if (migrate)
        {
            await PostgresSchema.SetupAsync(settings, ct);
        }
        else
        {
            await PostgresSchema.EnsureCurrentAsync(settings, ct);
        }
        return new PostgresPersistence(settings);
    }

    /// <summary>Rewrites each database's schema version row with its own value: a write that fails on a read-only
    /// transaction or standby, or when the disk is full.</summary>
    public async Task ProbeWriteAsync(CancellationToken ct)
    {
        foreach (var (source, table) in new[] { (_main, "schema_version"), (_visibility, "visibility_schema_version") })
        {
            await using var cmd = source.CreateCommand(
                $"UPDATE {table} SET applied_at = applied_at WHERE version = (SELECT MAX(version) FROM {table})");
            await cmd.ExecuteNonQueryAsync(ct);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _executions.DisposeAsync();
        await _visibilityStore.DisposeAsync();
        await _main.DisposeAsync();
        await _visibility.DisposeAsync();
    }
}
