using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Tempora.Core;
using Tempora.Persistence.Sqlite;

namespace Tempora.Persistence.Tests;

/// <summary>The contract on SQLite: each test gets a real database file in its own temp directory, deleted afterwards.</summary>
public sealed class SqliteContractTests : PersistenceContractTests
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("tempora-contract-");

    private string DatabaseFile => Path.Combine(_directory.FullName, "tempora.db");

    protected override async Task<IPersistence> OpenStoreAsync(bool migrate) =>
        await SqlitePersistence.OpenAsync(DatabaseFile, migrate, NullLogger.Instance, Ct);

    protected override async Task<IPersistence> OpenNeverSetUpStoreAsync()
    {
        var empty = Path.Combine(_directory.FullName, "empty.db");
        await File.WriteAllBytesAsync(empty, [], Ct);
        return await SqlitePersistence.OpenAsync(empty, migrate: false, NullLogger.Instance, Ct);
    }

    protected override async Task CreateAtPreviousTaskSchemaAsync(IReadOnlyList<TimerTaskRecord> timers, IReadOnlyList<MatchingTask> tasks)
    {
        foreach (var file in _directory.GetFiles("tempora.db*"))
        {
            file.Delete();
        }
        // Pooling off: the file is closed when the connection is, before the store opens it.
        await using var conn = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabaseFile, Pooling = false }.ConnectionString);
        await conn.OpenAsync(Ct);
        var migrations = EmbeddedMigrations.Load(typeof(SqliteDatabase).Assembly, "");
        await ExecuteAsync(conn, "CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY, applied_at TEXT NOT NULL);");
        for (var version = 1; version <= 2; version++)
        {
            await ExecuteAsync(conn, migrations[version - 1]);
            await ExecuteAsync(conn, $"INSERT INTO schema_version (version, applied_at) VALUES ({version}, '2026-01-01T00:00:00Z')");
        }
        foreach (var t in timers)
        {
            await ExecuteAsync(conn, "INSERT INTO timer_tasks (task_id, fire_time, namespace_id, workflow_id, run_id, data) VALUES ($1, $2, $3, $4, $5, $6)",
                t.TaskId, t.FireTime.ToUnixTimeMilliseconds(), t.Key.NamespaceId, t.Key.WorkflowId, t.Key.RunId, t.Data);
        }
        foreach (var t in tasks)
        {
            await ExecuteAsync(conn, """
                INSERT INTO tasks (task_id, namespace_id, task_queue, task_type, workflow_id, run_id, scheduled_event_id, attempt, created_time)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                """, t.TaskId, t.Queue.NamespaceId, t.Queue.Name, (int)t.Queue.Type, t.WorkflowId, t.RunId, t.ScheduledEventId, t.Attempt,
                t.CreatedTime.ToUnixTimeMilliseconds());
        }
    }

    protected override int SchedulesSchemaVersion => 4;

    protected override int BatchesSchemaVersion => 5;

    protected override int NexusEndpointsSchemaVersion => 7;

    protected override int WorkerDeploymentsSchemaVersion => 8;

    protected override int TaskVersionsSchemaVersion => 9;

    protected override async Task ExecuteOnMainDatabaseAsync(string sql)
    {
        await using var conn = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabaseFile, Pooling = false }.ConnectionString);
        await conn.OpenAsync(Ct);
        await ExecuteAsync(conn, sql);
    }

    private async Task ExecuteAsync(SqliteConnection conn, string sql, params object[] values)
    {
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        for (var i = 0; i < values.Length; i++)
        {
            cmd.Parameters.AddWithValue($"${i + 1}", values[i]);
        }
        await cmd.ExecuteNonQueryAsync(Ct);
    }

    protected override Task DeleteDatabasesAsync()
    {
        _directory.Delete(recursive: true); // the database with its -wal and -shm files
        return Task.CompletedTask;
    }
}
