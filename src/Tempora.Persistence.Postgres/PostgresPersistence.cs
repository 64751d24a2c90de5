using Npgsql;

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

    private PostgresPersistence(PostgresSettings settings)
    {
        _main = NpgsqlDataSource.Create(settings.ConnectionString(settings.Database));
        _visibility = NpgsqlDataSource.Create(settings.ConnectionString(settings.VisibilityDatabase));
        Executions = new PostgresExecutionStore(_main);
        Namespaces = new PostgresNamespaceStore(_main);
        Description = settings.ToString();
    }

    public IExecutionStore Executions { get; }

    public INamespaceStore Namespaces { get; }

    public string Description { get; }

    /// <summary>The visibility database (used by the visibility store).</summary>
    public NpgsqlDataSource Visibility => _visibility;

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

    public async ValueTask DisposeAsync()
    {
        await _main.DisposeAsync();
        await _visibility.DisposeAsync();
    }
}
