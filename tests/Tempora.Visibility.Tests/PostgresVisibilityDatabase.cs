using Npgsql;
using NpgsqlTypes;
using Tempora.Persistence.VisibilitySql;

namespace Tempora.Visibility.Query.Tests;

/// <summary>
/// A fresh PostgreSQL database (vq_&lt;guid8&gt;) on the server named by TEMPORA_TEST_POSTGRES, with executions_visibility as
/// the PostgreSQL store creates it, seeded with <see cref="SeedData"/>; dropped when the test class is done. Without
/// TEMPORA_TEST_POSTGRES the PostgreSQL assertions fail (they never skip) and say how to start PostgreSQL.
/// </summary>
public sealed class PostgresVisibilityDatabase : IAsyncLifetime
{
    public const string EnvironmentVariable = "TEMPORA_TEST_POSTGRES";

    private const string CreateTable = """
        CREATE TABLE executions_visibility (
            namespace_id TEXT NOT NULL, run_id TEXT NOT NULL,
            workflow_id TEXT NOT NULL, workflow_type_name TEXT NOT NULL, status BIGINT NOT NULL,
            start_time TIMESTAMPTZ NOT NULL, execution_time TIMESTAMPTZ NOT NULL, close_time TIMESTAMPTZ,
            task_queue TEXT NOT NULL, history_length BIGINT NOT NULL, history_size_bytes BIGINT NOT NULL,
            execution_duration BIGINT, state_transition_count BIGINT NOT NULL,
            parent_workflow_id TEXT, parent_run_id TEXT, root_workflow_id TEXT NOT NULL, root_run_id TEXT NOT NULL,
            memo BYTEA, search_attributes JSONB,
            version BIGINT NOT NULL,
            PRIMARY KEY (namespace_id, run_id))
        """;

    private const string Insert = """
        INSERT INTO executions_visibility VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
            NULL, $18, 1)
        """;

    private readonly string _database = $"vq_{Guid.NewGuid():N}"[..11];
    private string? _serverConnectionString;
    private NpgsqlDataSource? _dataSource;
    private Exception? _unavailable;

    /// <summary>The data source of the seeded database; throws why PostgreSQL is not available.</summary>
    public NpgsqlDataSource DataSource => _dataSource ?? throw new InvalidOperationException(_unavailable?.Message, _unavailable);

    public async Task InitializeAsync()
    {
        var server = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(server))
        {
            _unavailable = new InvalidOperationException(
                $"{EnvironmentVariable} is not set, so the PostgreSQL visibility query tests cannot run (they fail rather than skip). " +
                "Run the tests with `bash scripts/test.sh`, which starts PostgreSQL, or start it in your shell with " +
                "`eval \"$(bash scripts/postgres.sh)\"` and run `dotnet test` again.");
            return;
        }
        _serverConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = "postgres" }.ConnectionString;
        await using (var admin = new NpgsqlConnection(_serverConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{_database}\"", admin);
            await create.ExecuteNonQueryAsync();
        }
        var builder = new NpgsqlConnectionStringBuilder(server) { Database = _database };
        _dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
        await using (var create = _dataSource.CreateCommand(CreateTable))
        {
            await create.ExecuteNonQueryAsync();
        }
        await using var batch = _dataSource.CreateBatch();
        foreach (var row in SeedData.Rows)
        {
            var insert = new NpgsqlBatchCommand(Insert);
            object?[] values =
            [
                row.NamespaceId, row.RunId, row.WorkflowId, row.WorkflowType, (long)row.Status, SeedRow.FromMicros(row.StartTime),
                SeedRow.FromMicros(row.ExecutionTime), row.CloseTime is { } c ? SeedRow.FromMicros(c) : null, row.TaskQueue,
                row.HistoryLength, row.HistorySizeBytes, row.ExecutionDuration, row.StateTransitionCount, row.ParentWorkflowId,
                row.ParentRunId, row.RootWorkflowId, row.RootRunId,
            ];
            foreach (var value in values)
            {
                insert.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
            }
            insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = (object?)row.SearchAttributesJson() ?? DBNull.Value });
            batch.BatchCommands.Add(insert);
        }
        await batch.ExecuteNonQueryAsync();
    }

    public async Task<HashSet<string>> RunIdsAsync(CompiledQuery query)
    {
        await using var cmd = Command($"SELECT run_id FROM executions_visibility WHERE namespace_id = $1 AND {query.Where}", query);
        await using var reader = await cmd.ExecuteReaderAsync();
        var result = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync())
        {
            result.Add(reader.GetString(0));
        }
        return result;
    }

    public async Task<Dictionary<long, long>> CountByGroupAsync(CompiledQuery query)
    {
        await using var cmd = Command(
            $"SELECT {query.GroupBy}, COUNT(*) FROM executions_visibility WHERE namespace_id = $1 AND {query.Where} GROUP BY {query.GroupBy}", query);
        await using var reader = await cmd.ExecuteReaderAsync();
        var result = new Dictionary<long, long>();
        while (await reader.ReadAsync())
        {
            result.Add(reader.GetInt64(0), reader.GetInt64(1));
        }
        return result;
    }

    public async Task<long> CountAsync(string sql)
    {
        await using var cmd = DataSource.CreateCommand(sql);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    private NpgsqlCommand Command(string sql, CompiledQuery query)
    {
        var cmd = DataSource.CreateCommand(sql);
        cmd.Parameters.Add(new NpgsqlParameter { Value = SeedData.Namespace });
        foreach (var value in query.Parameters)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        }
        return cmd;
    }

    public async Task DisposeAsync()
    {
        if (_dataSource is null || _serverConnectionString is null)
        {
            return;
        }
        await _dataSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(_serverConnectionString);
        await admin.OpenAsync();
        // An autovacuum worker (a superuser process the test role may not terminate) can be visiting the database for
        // a moment; it leaves by itself, so try again shortly.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)", admin);
                await drop.ExecuteNonQueryAsync();
                return;
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.InsufficientPrivilege or PostgresErrorCodes.ObjectInUse && attempt < 20)
            {
                await Task.Delay(250);
            }
        }
    }
}
