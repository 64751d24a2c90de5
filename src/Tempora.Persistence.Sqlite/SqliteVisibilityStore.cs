using Microsoft.Data.Sqlite;
using Tempora.Persistence.VisibilitySql;
using Tempora.Visibility;
using Tempora.Visibility.Query;

namespace Tempora.Persistence.Sqlite;

/// <summary>
/// Visibility on SQLite: rows live in the main file and are written in the transition's own transaction. List filters
/// compile to SQLite SQL (<see cref="SqlCompiler"/>) with <c>$q0, $q1, ...</c> placeholders.
/// </summary>
internal sealed class SqliteVisibilityStore(SqliteDatabase db) : IVisibilityStore
{
    internal const string Columns = VisibilityTable.Columns;
    internal const string UpsertSql = $"""
        INSERT INTO executions_visibility ({Columns})
        VALUES ($v_ns, $v_run, $v_wf, $v_type, $v_status, $v_start, $v_exec, $v_close, $v_tq, $v_hlen, $v_hsize, $v_dur, $v_stc,
                $v_pwf, $v_prun, $v_rwf, $v_rrun, $v_memo, $v_sa, $v_version)
        {VisibilityTable.UpsertOnConflict}
        """;
    internal const string DeleteSql = "DELETE FROM executions_visibility WHERE namespace_id = $ns AND run_id = $run";
    private const string CloseKey = "COALESCE(close_time, 9223372036854775807)";

    private static string Placeholder(int i) => $"$q{i}";

    /// <summary>Adds the upsert of <paramref name="r"/> to a transition's transaction.</summary>
    internal static void Upsert(SqliteDatabase db, SqliteTransaction tx, VisibilityRecord r)
    {
        var cmd = db.Statement(UpsertSql, tx);
        var p = cmd.Parameters;
        p.AddWithValue("$v_ns", r.NamespaceId);
        p.AddWithValue("$v_run", r.RunId);
        p.AddWithValue("$v_wf", r.WorkflowId);
        p.AddWithValue("$v_type", r.WorkflowType);
        p.AddWithValue("$v_status", r.Status);
        p.AddWithValue("$v_start", VisibilityCursor.MicrosOf(r.StartTime));
        p.AddWithValue("$v_exec", VisibilityCursor.MicrosOf(r.ExecutionTime));
        p.AddWithValue("$v_close", r.CloseTime is { } c ? VisibilityCursor.MicrosOf(c) : DBNull.Value);
        p.AddWithValue("$v_tq", r.TaskQueue);
        p.AddWithValue("$v_hlen", r.HistoryLength);
        p.AddWithValue("$v_hsize", r.HistorySizeBytes);
        p.AddWithValue("$v_dur", r.ExecutionDurationNanos is { } d ? d : DBNull.Value);
        p.AddWithValue("$v_stc", r.StateTransitionCount);
        p.AddWithValue("$v_pwf", (object?)r.ParentWorkflowId ?? DBNull.Value);
        p.AddWithValue("$v_prun", (object?)r.ParentRunId ?? DBNull.Value);
        p.AddWithValue("$v_rwf", r.RootWorkflowId);
        p.AddWithValue("$v_rrun", r.RootRunId);
        p.AddWithValue("$v_memo", (object?)r.Memo ?? DBNull.Value);
        p.AddWithValue("$v_sa", (object?)r.SearchAttributesJson ?? DBNull.Value);
        p.AddWithValue("$v_version", r.Version);
        cmd.ExecuteNonQuery();
    }

    public Task<VisibilityPage> ListAsync(string namespaceId, VisibilityQuery filter, int pageSize, VisibilityCursor? after, CancellationToken ct)
    {
        // Compiled before taking the connection: SQLite has one, shared with every transition.
        var query = Compile(filter);
        return db.RunAsync(conn =>
        {
            using var cmd = Query(conn, namespaceId, query);
            var sql = $"SELECT {Columns} FROM executions_visibility WHERE namespace_id = $ns AND ({query.Where})";
            if (after is not null)
            {
                // Keyset paging in the fixed order: rows strictly after the cursor.
                sql += $" AND ({CloseKey} < $ck OR ({CloseKey} = $ck AND (start_time < $sk OR (start_time = $sk AND run_id > $rid))))";
                cmd.Parameters.AddWithValue("$ck", after.CloseTimeKey);
                cmd.Parameters.AddWithValue("$sk", after.StartTimeKey);
                cmd.Parameters.AddWithValue("$rid", after.RunId);
            }
            cmd.CommandText = sql + $" ORDER BY {CloseKey} DESC, start_time DESC, run_id LIMIT $limit";
            cmd.Parameters.AddWithValue("$limit", pageSize + 1);
            var records = new List<VisibilityRecord>();
            using (var r = cmd.ExecuteReader())
            {
                while (r.Read())
                {
                    records.Add(Read(r));
                }
            }
            VisibilityCursor? next = null;
            if (records.Count > pageSize)
            {
                records.RemoveAt(pageSize);
                var last = records[^1];
                next = new VisibilityCursor(VisibilityCursor.CloseKey(last.CloseTime), VisibilityCursor.MicrosOf(last.StartTime), last.RunId);
            }
            return new VisibilityPage(records, next);
        }, ct);
    }

    public Task<long> CountAsync(string namespaceId, VisibilityQuery filter, CancellationToken ct)
    {
        var query = Compile(filter);
        return db.RunAsync(conn =>
        {
            using var cmd = Query(conn, namespaceId, query);
            cmd.CommandText = $"SELECT COUNT(*) FROM executions_visibility WHERE namespace_id = $ns AND ({query.Where})";
            return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }, ct);
    }

    public Task<IReadOnlyList<(int Status, long Count)>> CountByStatusAsync(string namespaceId, VisibilityQuery filter, CancellationToken ct)
    {
        var query = Compile(filter);
        return db.RunAsync(conn =>
        {
            using var cmd = Query(conn, namespaceId, query);
            cmd.CommandText = $"SELECT status, COUNT(*) FROM executions_visibility WHERE namespace_id = $ns AND ({query.Where}) GROUP BY status ORDER BY status";
            using var r = cmd.ExecuteReader();
            var list = new List<(int, long)>();
            while (r.Read())
            {
                list.Add((r.GetInt32(0), r.GetInt64(1)));
            }
            return (IReadOnlyList<(int, long)>)list;
        }, ct);
    }

    public Task<IReadOnlyList<(string WorkflowId, string RunId)>> ListClosedBeforeAsync(string namespaceId, DateTimeOffset closedBefore, int limit, CancellationToken ct) =>
        db.RunAsync(conn =>
        {
            using var cmd = conn.CreateCommand();
            cmd.CommandText = """
                SELECT workflow_id, run_id FROM executions_visibility
                WHERE namespace_id = $ns AND close_time IS NOT NULL AND close_time < $before ORDER BY close_time LIMIT $limit
                """;
            cmd.Parameters.AddWithValue("$ns", namespaceId);
            cmd.Parameters.AddWithValue("$before", VisibilityCursor.MicrosOf(closedBefore));
            cmd.Parameters.AddWithValue("$limit", limit);
            using var r = cmd.ExecuteReader();
            var list = new List<(string, string)>();
            while (r.Read())
            {
                list.Add((r.GetString(0), r.GetString(1)));
            }
            return (IReadOnlyList<(string, string)>)list;
        }, ct);

    public Task FlushAsync(CancellationToken ct) => Task.CompletedTask; // written in the transition's transaction

    private static CompiledQuery Compile(VisibilityQuery filter) => SqlCompiler.Compile(filter, SqlDialect.Sqlite, Placeholder);

    private static SqliteCommand Query(SqliteConnection conn, string namespaceId, CompiledQuery query)
    {
        var cmd = conn.CreateCommand();
        cmd.Parameters.AddWithValue("$ns", namespaceId);
        for (var i = 0; i < query.Parameters.Count; i++)
        {
            cmd.Parameters.AddWithValue(Placeholder(i), query.Parameters[i] ?? DBNull.Value);
        }
        return cmd;
    }

    private static VisibilityRecord Read(SqliteDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt32(4),
        VisibilityCursor.FromMicros(r.GetInt64(5)), VisibilityCursor.FromMicros(r.GetInt64(6)),
        r.IsDBNull(7) ? null : VisibilityCursor.FromMicros(r.GetInt64(7)), r.GetString(8),
        r.GetInt64(9), r.GetInt64(10), r.IsDBNull(11) ? null : r.GetInt64(11), r.GetInt64(12),
        r.IsDBNull(13) ? null : r.GetString(13), r.IsDBNull(14) ? null : r.GetString(14), r.GetString(15), r.GetString(16),
        r.IsDBNull(17) ? null : (byte[])r[17], r.IsDBNull(18) ? null : r.GetString(18), r.GetInt64(19));
}
