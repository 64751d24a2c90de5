using Npgsql;
using Tempora.Core;
using Tempora.Persistence.Postgres;

namespace Tempora.Persistence.Tests;

/// <summary>The contract on PostgreSQL (TEMPORA_TEST_POSTGRES): each test gets its own main and visibility databases.</summary>
public sealed class PostgresContractTests : PersistenceContractTests
{
    protected override bool TaskIdsInBlocks => true;

    private readonly PostgresSettings _settings = TestPostgres.NewSettings();
    private readonly List<PostgresSettings> _neverSetUp = [];

    protected override async Task<IPersistence> OpenStoreAsync(bool migrate) => await PostgresPersistence.OpenAsync(_settings, migrate, Ct);

    protected override async Task<IPersistence> OpenNeverSetUpStoreAsync()
    {
        var settings = TestPostgres.NewSettings();
        _neverSetUp.Add(settings);
        return await PostgresPersistence.OpenAsync(settings, migrate: false, Ct);
    }

    protected override async Task CreateAtPreviousTaskSchemaAsync(IReadOnlyList<TimerTaskRecord> timers, IReadOnlyList<MatchingTask> tasks)
    {
        // The main database at version 6 with the rows as that version wrote them; the store's setup migrates both.
        await TestPostgres.DropDatabasesAsync(_settings);
        await using (var admin = new NpgsqlConnection(_settings.ConnectionString("postgres")))
        {
            await admin.OpenAsync(Ct);
            await ExecuteAsync(admin, $"CREATE DATABASE \"{_settings.Database}\"");
        }
        await using var conn = new NpgsqlConnection(_settings.ConnectionString(_settings.Database));
        await conn.OpenAsync(Ct);
        await ExecuteAsync(conn, "CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())");
        for (var version = 1; version <= 6; version++)
        {
            await ExecuteAsync(conn, PostgresSchema.MainMigrations[version - 1]);
            await ExecuteAsync(conn, $"INSERT INTO schema_version (version) VALUES ({version})");
        }
        foreach (var t in timers)
        {
            await ExecuteAsync(conn, "INSERT INTO timer_tasks (namespace_id, workflow_id, run_id, task_id, fire_time, data) VALUES ($1, $2, $3, $4, $5, $6)",
                t.Key.NamespaceId, t.Key.WorkflowId, t.Key.RunId, t.TaskId, t.FireTime.ToUniversalTime(), t.Data);
        }
        foreach (var t in tasks)
        {
            await ExecuteAsync(conn, """
                INSERT INTO tasks (namespace_id, workflow_id, run_id, task_id, task_queue, task_type, scheduled_event_id, attempt, created_time)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                """, t.Queue.NamespaceId, t.WorkflowId, t.RunId, t.TaskId, t.Queue.Name, (int)t.Queue.Type, t.ScheduledEventId, t.Attempt,
                t.CreatedTime.ToUniversalTime());
        }
        NpgsqlConnection.ClearAllPools();
    }

    protected override int SchedulesSchemaVersion => 8;

    protected override int BatchesSchemaVersion => 9;

    protected override int NexusEndpointsSchemaVersion => 12;

    protected override int WorkerDeploymentsSchemaVersion => 13;

    protected override int TaskVersionsSchemaVersion => 14;

    protected override async Task ExecuteOnMainDatabaseAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(_settings.ConnectionString(_settings.Database));
        await conn.OpenAsync(Ct);
        await ExecuteAsync(conn, sql);
    }

    private async Task ExecuteAsync(NpgsqlConnection conn, string sql, params object[] values)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var value in values)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = value });
        }
        await cmd.ExecuteNonQueryAsync(Ct);
    }

    protected override async Task DeleteDatabasesAsync()
    {
        foreach (var settings in _neverSetUp.Prepend(_settings))
        {
            await TestPostgres.DropDatabasesAsync(settings);
        }
    }
}
