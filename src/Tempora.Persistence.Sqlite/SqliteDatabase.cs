using System.Globalization;
using System.Reflection;
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

    /// <summary>The schema version this binary ships; a database at another version is refused.</summary>
    public static int LatestSchemaVersion => Migrations().Count;

    /// <summary>Opens (creating if needed) the database and applies pending migrations.</summary>
    public static async Task<SqliteDatabase> OpenAsync(string? fileName, ILogger logger, CancellationToken ct)
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = fileName ?? ":memory:",
            Mode = fileName is null ? SqliteOpenMode.Memory : SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        };
        var connection = new SqliteConnection(builder.ConnectionString);
        await connection.OpenAsync(ct);
        var db = new SqliteDatabase(connection);
        await db.ExecuteAsync(fileName is null
            ? "PRAGMA foreign_keys=OFF;"
            : "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000;", ct);
        await db.MigrateAsync(logger, ct);
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

    private async Task MigrateAsync(ILogger logger, CancellationToken ct)
    {
        var migrations = Migrations();
        var current = await RunAsync(conn =>
        {
            using var cmd = conn.CreateCommand();
            cmd.CommandText = """
                CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL PRIMARY KEY, applied_at TEXT NOT NULL);
                SELECT COALESCE(MAX(version), 0) FROM schema_version;
                """;
            return Convert.ToInt32(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
        }, ct);
        if (current > migrations.Count)
        {
            throw new InvalidOperationException(
                $"The database is at schema version {current}, newer than this binary knows ({migrations.Count}); run a newer tempora.");
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

    private static List<string> Migrations()
    {
        var assembly = Assembly.GetExecutingAssembly();
        return assembly.GetManifestResourceNames()
            .Where(n => n.Contains(".Migrations.", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n =>
            {
                using var stream = assembly.GetManifestResourceStream(n)!;
                using var reader = new StreamReader(stream);
                return reader.ReadToEnd();
            })
            .ToList();
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
