using Npgsql;

namespace Tempora.Persistence.Postgres;

/// <summary>Where the two databases are and how to log in; filled from the config file and environment.</summary>
public sealed record PostgresSettings
{
    public string Host { get; init; } = "127.0.0.1";
    public int Port { get; init; } = 5432;
    public string User { get; init; } = "temporal";
    public string Password { get; init; } = "";

    /// <summary>Main data: executions, history, tasks, namespaces (Temporal's `temporal` database).</summary>
    public string Database { get; init; } = "temporal";

    /// <summary>Visibility records (Temporal's `temporal_visibility`); may equal <see cref="Database"/>.</summary>
    public string VisibilityDatabase { get; init; } = "temporal_visibility";

    /// <summary>Upper bound of pooled connections per database, per process.</summary>
    public int MaxConnections { get; init; } = 20;

    /// <summary>Npgsql SSL mode: Disable, Prefer, Require, VerifyCA, VerifyFull.</summary>
    public string SslMode { get; init; } = "Prefer";

    /// <summary>Extra Npgsql connection-string keywords appended last (e.g. "Timeout=30;Keepalive=10").</summary>
    public string? ConnectionOptions { get; init; }

    public string ConnectionString(string database)
    {
        var builder = new NpgsqlConnectionStringBuilder(ConnectionOptions ?? "")
        {
            Host = Host,
            Port = Port,
            Username = User,
            Password = Password,
            Database = database,
            MaxPoolSize = MaxConnections,
            SslMode = Enum.Parse<SslMode>(SslMode, ignoreCase: true),
            // A pooled connection PostgreSQL dropped (restart, failover) is found broken and replaced, not reused.
            ConnectionLifetime = 0,
            ApplicationName = "tempora",
            // Transitions repeat a few dozen statements; prepared once per connection they skip parse and plan.
            MaxAutoPrepare = 64,
            // Tempora leaves no session state behind (no SET, no session advisory locks, no LISTEN, no temp tables),
            // so a pooled connection needs no reset: otherwise every checkout, i.e. every transition and every read,
            // first runs Npgsql's reset statements on the server.
            NoResetOnClose = true,
            // Group commit needs to know which statement of a batch failed, to fail only that transition.
            IncludeFailedBatchedCommand = true,
        };
        return builder.ConnectionString;
    }

    /// <summary>Host, port, user and database names for logs and errors; never the password.</summary>
    public override string ToString() =>
        $"postgres://{User}@{Host}:{Port}/{Database} (visibility: {VisibilityDatabase})";
}
