using Microsoft.Data.Sqlite;
using Tempora.Persistence.VisibilitySql;

namespace Tempora.Visibility.Query.Tests;

/// <summary>An in-memory SQLite database with executions_visibility as the SQLite store creates it, seeded with <see cref="SeedData"/>.</summary>
public sealed class SqliteVisibilityDatabase : IDisposable
{
    public const string CreateTable = """
        CREATE TABLE executions_visibility (
            namespace_id TEXT NOT NULL, run_id TEXT NOT NULL,
            workflow_id TEXT NOT NULL, workflow_type_name TEXT NOT NULL, status INTEGER NOT NULL,
            start_time INTEGER NOT NULL, execution_time INTEGER NOT NULL, close_time INTEGER,
            task_queue TEXT NOT NULL, history_length INTEGER NOT NULL, history_size_bytes INTEGER NOT NULL,
            execution_duration INTEGER, state_transition_count INTEGER NOT NULL,
            parent_workflow_id TEXT, parent_run_id TEXT, root_workflow_id TEXT NOT NULL, root_run_id TEXT NOT NULL,
            memo BLOB, search_attributes TEXT,
            version INTEGER NOT NULL,
            PRIMARY KEY (namespace_id, run_id))
        """;

    private const string Insert = """
        INSERT INTO executions_visibility VALUES ($ns, $run, $wf, $type, $status, $start, $exec, $close, $tq, $len, $size,
            $duration, $transitions, $parent, $parentRun, $root, $rootRun, NULL, $sa, 1)
        """;

    public SqliteVisibilityDatabase()
    {
        Connection = new SqliteConnection("Data Source=:memory:");
        Connection.Open();
        // As the SQLite store registers it (a NULL field never reaches it: the compiled SQL guards with CASE).
        Connection.CreateFunction<string?, string, bool>("tempora_text_match", TextMatch.Matches, isDeterministic: true);
        using (var create = Connection.CreateCommand())
        {
            create.CommandText = CreateTable;
            create.ExecuteNonQuery();
        }
        using var tx = Connection.BeginTransaction();
        foreach (var row in SeedData.Rows)
        {
            using var insert = Connection.CreateCommand();
            insert.Transaction = tx;
            insert.CommandText = Insert;
            insert.Parameters.AddWithValue("$ns", row.NamespaceId);
            insert.Parameters.AddWithValue("$run", row.RunId);
            insert.Parameters.AddWithValue("$wf", row.WorkflowId);
            insert.Parameters.AddWithValue("$type", row.WorkflowType);
            insert.Parameters.AddWithValue("$status", row.Status);
            insert.Parameters.AddWithValue("$start", row.StartTime);
            insert.Parameters.AddWithValue("$exec", row.ExecutionTime);
            insert.Parameters.AddWithValue("$close", (object?)row.CloseTime ?? DBNull.Value);
            insert.Parameters.AddWithValue("$tq", row.TaskQueue);
            insert.Parameters.AddWithValue("$len", row.HistoryLength);
            insert.Parameters.AddWithValue("$size", row.HistorySizeBytes);
            insert.Parameters.AddWithValue("$duration", (object?)row.ExecutionDuration ?? DBNull.Value);
            insert.Parameters.AddWithValue("$transitions", row.StateTransitionCount);
            insert.Parameters.AddWithValue("$parent", (object?)row.ParentWorkflowId ?? DBNull.Value);
            insert.Parameters.AddWithValue("$parentRun", (object?)row.ParentRunId ?? DBNull.Value);
            insert.Parameters.AddWithValue("$root", row.RootWorkflowId);
            insert.Parameters.AddWithValue("$rootRun", row.RootRunId);
            insert.Parameters.AddWithValue("$sa", (object?)row.SearchAttributesJson() ?? DBNull.Value);
            insert.ExecuteNonQuery();
        }
        tx.Commit();
    }

    public SqliteConnection Connection { get; }

    /// <summary>The run ids of <see cref="SeedData.Namespace"/> that <paramref name="query"/> selects.</summary>
    public HashSet<string> RunIds(CompiledQuery query)
    {
        using var cmd = Command($"SELECT run_id FROM executions_visibility WHERE namespace_id = $ns AND {query.Where}", query);
        using var reader = cmd.ExecuteReader();
        var result = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            result.Add(reader.GetString(0));
        }
        return result;
    }

    /// <summary>COUNT(*) per <see cref="CompiledQuery.GroupBy"/> column, as the store's CountByStatus runs it.</summary>
    public Dictionary<long, long> CountByGroup(CompiledQuery query)
    {
        using var cmd = Command(
            $"SELECT {query.GroupBy}, COUNT(*) FROM executions_visibility WHERE namespace_id = $ns AND {query.Where} GROUP BY {query.GroupBy}", query);
        using var reader = cmd.ExecuteReader();
        var result = new Dictionary<long, long>();
        while (reader.Read())
        {
            result.Add(reader.GetInt64(0), reader.GetInt64(1));
        }
        return result;
    }

    public long Count(string sql)
    {
        using var cmd = Connection.CreateCommand();
        cmd.CommandText = sql;
        return (long)cmd.ExecuteScalar()!;
    }

    private SqliteCommand Command(string sql, CompiledQuery query)
    {
        var cmd = Connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.Parameters.AddWithValue("$ns", SeedData.Namespace);
        for (var i = 0; i < query.Parameters.Count; i++)
        {
            cmd.Parameters.AddWithValue(Compile.SqlitePlaceholder(i), query.Parameters[i] ?? DBNull.Value);
        }
        return cmd;
    }

    public void Dispose() => Connection.Dispose();
}
