using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Tempora.Persistence.Sqlite;

/// <summary>
/// One SQLite connection shared by the stores. SQLite has a single writer, so serialising every statement behind
/// one lock costs nothing in throughput and removes SQLITE_BUSY from the picture; the work per statement is
/// microseconds. WAL mode keeps commits cheap (one fsync of the log, not the database).
/// </summary>
public sealed partial class SqliteDatabase : IAsyncDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _lock = new(1, 1);

    private SqliteDatabase(SqliteConnection connection) => _connection = connection;

    private static readonly IReadOnlyList<string> Migrations = EmbeddedMigrations.Load(typeof(SqliteDatabase).Assembly, "");

    /// <summary>The schema version this binary ships; a database at another version is refused.</summary>
    public static int LatestSchemaVersion => Migrations.Count;

    /// <summary>Opens (creating if needed) the database. With <paramref name="migrate"/> pending migrations are applied
    /// (start-dev, `tempora schema`); otherwise a database at another version is refused with the command that fixes it.</summary>
    public static async Task<SqliteDatabase> OpenAsync(string? fileName, ILogger logger, CancellationToken ct, bool migrate = true)
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = fileName ?? ":memory:",
            Mode = fileName is null ? SqliteOpenMode.Memory : SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        };
        var connection = new SqliteConnection(builder.ConnectionString);
        await connection.OpenAsync(ct);
        // Text search attributes match word by word (list filters); the same rule as PostgreSQL's 'simple' text search.
        connection.CreateFunction<string?, string?, bool>("tempora_text_match",
            (field, query) => Tempora.Visibility.Query.TextMatch.Matches(field, query ?? ""), isDeterministic: true);
        var db = new SqliteDatabase(connection);
        await db.ExecuteAsync(fileName is null
            ? "PRAGMA foreign_keys=OFF;"
            : "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000;", ct);
        try
        {
            if (migrate)
            {
                await db.MigrateAsync(logger, ct);
            }
            else
            {
                var status = await db.GetStatusAsync(fileName ?? ":memory:", ct);
                if (!status.IsCurrent)
                {
                    throw SchemaVersionMismatchException.For(status);
                }
            }
        }
        catch
        {
            await db.DisposeAsync();
            throw;
        }
        return db;
    }

    /// <summary>Runs work on the shared connection under the lock.</summary>
    public async Task<T> RunAsync<T>(Func<SqliteConnection, T> work, CancellationToken ct)
    {
        await _lock.WaitAsync(ct);
        try
        {
            return work(_connection);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Runs work in one IMMEDIATE transaction (write lock taken at BEGIN); commits when work returns.</summary>
    public Task<T> InTransactionAsync<T>(Func<SqliteConnection, SqliteTransaction, T> work, CancellationToken ct) =>
        RunAsync(conn =>
        {
            using var tx = conn.BeginTransaction(deferred: false);
            var result = work(conn, tx);
            tx.Commit();
            return result;
        }, ct);

    private Task ExecuteAsync(string sql, CancellationToken ct) => RunAsync(conn =>
    {
        using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteNonQuery();
    }, ct);

    /// <summary>The file's schema version against this binary's; a file without the version table reads as 0.</summary>
    public async Task<SchemaStatus> GetStatusAsync(string name, CancellationToken ct) => new(name, await CurrentVersionAsync(ct), Migrations.Count);

    private Task<int> CurrentVersionAsync(CancellationToken ct) => RunAsync(conn =>
    {
        // Two statements: SQLite resolves every table of a statement when preparing it, so a guard inside one
        // statement cannot protect the read of a table that does not exist yet.
        using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'";
        if (Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture) == 0)
        {
            return 0;
        }
        cmd.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_version";
        return Convert.ToInt32(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
    }, ct);

    private async Task MigrateAsync(ILogger logger, CancellationToken ct)
    {
        var migrations = Migrations;
        await ExecuteAsync("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL PRIMARY KEY, applied_at TEXT NOT NULL);", ct);
        var current = await CurrentVersionAsync(ct);
        if (current > migrations.Count)
        {
            throw SchemaVersionMismatchException.For(new SchemaStatus("SQLite", current, migrations.Count));
        }
        for (var version = current + 1; version <= migrations.Count; version++)
        {
            var sql = migrations[version - 1];
            var v = version;
            await InTransactionAsync((conn, tx) =>
            {
                using var cmd = conn.CreateCommand();
                cmd.Transaction = tx;
                cmd.CommandText = sql;
                cmd.ExecuteNonQuery();
                cmd.CommandText = "INSERT INTO schema_version (version, applied_at) VALUES ($v, $t)";
                cmd.Parameters.AddWithValue("$v", v);
                cmd.Parameters.AddWithValue("$t", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
                return cmd.ExecuteNonQuery();
            }, ct);
            LogMigrated(logger, v);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _lock.WaitAsync();
        try
        {
            await _connection.DisposeAsync();
        }
        finally
        {
            _lock.Release();
        }
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "SQLite schema migrated to version {Version}")]
    private static partial void LogMigrated(ILogger logger, int version);
}
