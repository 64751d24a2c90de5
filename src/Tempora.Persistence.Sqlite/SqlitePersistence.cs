using Microsoft.Extensions.Logging;
using Tempora.Persistence.Batches;
using Tempora.Persistence.Nexus;
using Tempora.Persistence.Schedules;
using Tempora.Visibility;

namespace Tempora.Persistence.Sqlite;

/// <summary>The embedded store: one SQLite file (or memory) holding main and visibility data.</summary>
public sealed class SqlitePersistence : IPersistence
{
    private readonly SqliteDatabase _database;

    private SqlitePersistence(SqliteDatabase database, string description)
    {
        _database = database;
        Executions = new SqliteExecutionStore(database);
        Namespaces = new SqliteNamespaceStore(database);
        Visibility = new SqliteVisibilityStore(database);
        Schedules = new SqliteScheduleStore(database);
        Batches = new SqliteBatchStore(database);
        NexusEndpoints = new SqliteNexusEndpointStore(database);
        WorkerDeployments = new SqliteWorkerDeploymentStore(database);
        Description = description;
    }

    public IExecutionStore Executions { get; }

    public INamespaceStore Namespaces { get; }

    public IVisibilityStore Visibility { get; }

    public IScheduleStore Schedules { get; }

    public IBatchStore Batches { get; }

    public INexusEndpointStore NexusEndpoints { get; }

    public Deployments.IWorkerDeploymentStore WorkerDeployments { get; }

    /// <summary>None: one process alone opens a SQLite database, and owns every shard.</summary>
    public IShardLeaseStore? ShardLeases => null;

    /// <summary>None: a transition writes its visibility row in its own transaction.</summary>
    public IVisibilityOutbox? VisibilityOutbox => null;

    public string Description { get; }

    /// <param name="fileName">The database file; null keeps everything in memory.</param>
    /// <param name="migrate">Apply pending migrations (start-dev) instead of refusing another schema version.</param>
    public static async Task<SqlitePersistence> OpenAsync(string? fileName, bool migrate, ILogger logger, CancellationToken ct)
    {
        var database = await SqliteDatabase.OpenAsync(fileName, logger, ct, migrate);
        return new SqlitePersistence(database, fileName is null ? "SQLite in memory" : $"SQLite {Path.GetFullPath(fileName)}");
    }

    public Task ProbeWriteAsync(CancellationToken ct) => _database.ProbeWriteAsync(ct);

    public ValueTask DisposeAsync() => _database.DisposeAsync();
}
