using System.Globalization;
using Microsoft.Data.Sqlite;
using Tempora.Core;
using Tempora.Core.Errors;

namespace Tempora.Persistence.Sqlite;

internal sealed class SqliteExecutionStore(SqliteDatabase db) : IExecutionStore
{
    private const string InsertExecutionSql = """
        INSERT INTO executions (namespace_id, workflow_id, run_id, db_version, next_event_id, status, state)
        VALUES ($ns, $wf, $run, 1, $next, $status, $state)
        """;
    private const string UpdateExecutionSql = """
        UPDATE executions SET db_version = db_version + 1, next_event_id = $next, status = $status, state = $state
        WHERE namespace_id = $ns AND workflow_id = $wf AND run_id = $run AND db_version = $expected
        """;
    private const string InsertCurrentSql = """
        INSERT INTO current_executions (namespace_id, workflow_id, run_id, create_request_id, status, first_execution_run_id)
        VALUES ($ns, $wf, $run, $req, $status, $first)
        """;
    private const string ReplaceCurrentSql = """
        UPDATE current_executions SET run_id = $run, create_request_id = $req, status = $status, first_execution_run_id = $first
        WHERE namespace_id = $ns AND workflow_id = $wf AND run_id = $expected
        """;
    private const string UpdateCurrentStatusSql = """
        UPDATE current_executions SET status = $status WHERE namespace_id = $ns AND workflow_id = $wf AND run_id = $run
        """;
    private const string InsertHistorySql = """
        INSERT INTO history_node (namespace_id, workflow_id, run_id, first_event_id, last_event_id, data)
        VALUES ($ns, $wf, $run, $first, $last, $data)
        """;
    private const string InsertTimerSql = """
        INSERT INTO timer_tasks (task_id, shard_id, fire_time, namespace_id, workflow_id, run_id, data)
        VALUES ($id, $shard, $fire, $ns, $wf, $run, $data)
        """;
    private const string InsertTransferSql = """
        INSERT INTO transfer_tasks (task_id, shard_id, namespace_id, workflow_id, run_id, data) VALUES ($id, $shard, $ns, $wf, $run, $data)
        """;
    private const string InsertTaskSql = """
        INSERT INTO tasks (task_id, shard_id, namespace_id, task_queue, task_type, workflow_id, run_id, scheduled_event_id, attempt, created_time, pinned_version)
        VALUES ($id, $shard, $ns, $queue, $type, $wf, $run, $scheduled, $attempt, $created, $pinned)
        """;
    private const string DeleteTimerSql = "DELETE FROM timer_tasks WHERE task_id = $id";
    private const string DeleteTaskSql = "DELETE FROM tasks WHERE task_id = $id";
    private const string DeleteTransferSql = "DELETE FROM transfer_tasks WHERE task_id = $id";
    private const string DeleteRunTimersSql = "DELETE FROM timer_tasks WHERE namespace_id = $ns AND workflow_id = $wf AND run_id = $run";
    private const string DeleteRunTasksSql = "DELETE FROM tasks WHERE namespace_id = $ns AND workflow_id = $wf AND run_id = $run";
    private const string DeleteRunTransfersSql = "DELETE FROM transfer_tasks WHERE namespace_id = $ns AND workflow_id = $wf AND run_id = $run";
    private const string SelectExecutionSql = """
        SELECT db_version, next_event_id, status, state FROM executions WHERE namespace_id = $ns AND workflow_id = $wf AND run_id = $run
        """;
    private const string SelectCurrentSql = """
        SELECT run_id, create_request_id, status, first_execution_run_id FROM current_executions WHERE namespace_id = $ns AND workflow_id = $wf
        """;
    // A batch overlaps the range when it ends at or after the first wanted id and starts before the end.
    private const string SelectHistorySql = """
        SELECT first_event_id, last_event_id, data FROM history_node
        WHERE namespace_id = $ns AND workflow_id = $wf AND run_id = $run AND last_event_id >= $from AND first_event_id < $to
        ORDER BY first_event_id
        """;
    // The task loads read one shard set; {0} is empty for every shard, or a WHERE on shard_id (its index serves it).
    // One page of a shard's timers after a (fire_time, task_id) cursor: the bounds on fire_time keep it a range of the
    // timer_tasks_by_shard index, the OR only skips the cursor's own fire time up to its task id.
    private const string SelectTimerPageSql = """
        SELECT task_id, fire_time, namespace_id, workflow_id, run_id, data FROM timer_tasks
        WHERE shard_id = $shard AND fire_time >= $fire AND fire_time < $before AND (fire_time > $fire OR task_id > $id)
        ORDER BY fire_time, task_id LIMIT $limit
        """;
    private const string SelectTransfersSql = "SELECT task_id, namespace_id, workflow_id, run_id, data FROM transfer_tasks{0} ORDER BY task_id";
    private const string SelectTasksSql = """
        SELECT task_id, namespace_id, task_queue, task_type, workflow_id, run_id, scheduled_event_id, attempt, created_time, pinned_version
        FROM tasks{0} ORDER BY task_id
        """;
    private const string SelectLegacyTimersSql = "SELECT task_id, namespace_id, workflow_id, run_id, data FROM timer_tasks WHERE shard_id = 0";
    private const string SelectLegacyTasksSql = "SELECT task_id, namespace_id, workflow_id FROM tasks WHERE shard_id = 0";
    private const string SetTimerShardSql = "UPDATE timer_tasks SET shard_id = $shard WHERE task_id = $id";
    private const string SetTaskShardSql = "UPDATE tasks SET shard_id = $shard WHERE task_id = $id";
    private const string MoveToTransferSql = """
        INSERT OR IGNORE INTO transfer_tasks (task_id, shard_id, namespace_id, workflow_id, run_id, data) VALUES ($id, $shard, $ns, $wf, $run, $data)
        """;
    private static readonly string[] DeleteExecutionSql =
    [
        "DELETE FROM executions WHERE namespace_id = $ns AND workflow_id = $wf AND run_id = $run",
        "DELETE FROM history_node WHERE namespace_id = $ns AND workflow_id = $wf AND run_id = $run",
        DeleteRunTimersSql,
        DeleteRunTasksSql,
        DeleteRunTransfersSql,
        "DELETE FROM current_executions WHERE namespace_id = $ns AND workflow_id = $wf AND run_id = $run",
        SqliteVisibilityStore.DeleteSql,
    ];
    private const string MaxTaskIdSql = """
        SELECT MAX(COALESCE((SELECT MAX(task_id) FROM timer_tasks), 0), COALESCE((SELECT MAX(task_id) FROM tasks), 0),
            COALESCE((SELECT MAX(task_id) FROM transfer_tasks), 0))
        """;

    public Task WriteAsync(ExecutionMutation m, CancellationToken ct) => db.InTransactionAsync((conn, tx) =>
    {
        for (var next = m; next is not null; next = next.Successor)
        {
            Write(tx, next);
        }
        return 0;
    }, ct);

    private void Write(SqliteTransaction tx, ExecutionMutation m)
    {
        var key = m.Key;
        if (m.Schedule is { } schedule)
        {
            SqliteScheduleStore.Apply(db, tx, schedule);
        }
        if (m.CreateWithCurrent is { } condition)
        {
            var create = Command(tx, InsertExecutionSql, key);
            create.Parameters.AddWithValue("$next", m.NextEventId);
            create.Parameters.AddWithValue("$status", m.Status);
            create.Parameters.AddWithValue("$state", m.State);
            create.ExecuteNonQuery();
            var current = m.Current ?? throw new ArgumentException("A created run needs its current pointer.", nameof(m));
            var cur = Command(tx, condition.ExpectedRunId is null ? InsertCurrentSql : ReplaceCurrentSql, key);
            cur.Parameters.AddWithValue("$req", current.CreateRequestId);
            cur.Parameters.AddWithValue("$status", current.Status);
            cur.Parameters.AddWithValue("$first", current.FirstExecutionRunId);
            if (condition.ExpectedRunId is not null)
            {
                cur.Parameters.AddWithValue("$expected", condition.ExpectedRunId);
            }
            try
            {
                if (cur.ExecuteNonQuery() != 1)
                {
                    throw new CurrentExecutionConditionFailedException(key.WorkflowId);
                }
            }
            catch (SqliteException e) when (e.SqliteExtendedErrorCode is SqliteErrors.ConstraintPrimaryKey or SqliteErrors.ConstraintUnique)
            {
                throw new CurrentExecutionConditionFailedException(key.WorkflowId);
            }
        }
        else
        {
            var update = Command(tx, UpdateExecutionSql, key);
            update.Parameters.AddWithValue("$next", m.NextEventId);
            update.Parameters.AddWithValue("$status", m.Status);
            update.Parameters.AddWithValue("$state", m.State);
            update.Parameters.AddWithValue("$expected", m.ExpectedDbVersion);
            if (update.ExecuteNonQuery() != 1)
            {
                throw new ExecutionConditionFailedException(key, m.ExpectedDbVersion);
            }
            if (m.Current is { } current)
            {
                var cur = Command(tx, UpdateCurrentStatusSql, key);
                cur.Parameters.AddWithValue("$status", current.Status);
                cur.ExecuteNonQuery();
            }
        }
        foreach (var batch in m.NewHistory)
        {
            var cmd = Command(tx, InsertHistorySql, key);
            cmd.Parameters.AddWithValue("$first", batch.FirstEventId);
            cmd.Parameters.AddWithValue("$last", batch.LastEventId);
            cmd.Parameters.AddWithValue("$data", batch.Data);
            cmd.ExecuteNonQuery();
        }
        if (m.DeleteAllTasksOfRun)
        {
            Execute(tx, DeleteRunTimersSql, key);
            Execute(tx, DeleteRunTasksSql, key);
            Execute(tx, DeleteRunTransfersSql, key);
        }
        foreach (var id in m.DeletedTimerTasks)
        {
            DeleteById(tx, DeleteTimerSql, id);
        }
        foreach (var id in m.DeletedMatchingTasks)
        {
            DeleteById(tx, DeleteTaskSql, id);
        }
        foreach (var id in m.DeletedTransferTasks)
        {
            DeleteById(tx, DeleteTransferSql, id);
        }
        foreach (var timer in m.NewTimerTasks)
        {
            var cmd = Command(tx, InsertTimerSql, timer.Key);
            cmd.Parameters.AddWithValue("$id", timer.TaskId);
            cmd.Parameters.AddWithValue("$shard", m.Fence.ShardId);
            cmd.Parameters.AddWithValue("$fire", timer.FireTime.ToUnixTimeMilliseconds());
            cmd.Parameters.AddWithValue("$data", timer.Data);
            cmd.ExecuteNonQuery();
        }
        foreach (var transfer in m.NewTransferTasks)
        {
            var cmd = Command(tx, InsertTransferSql, transfer.Key);
            cmd.Parameters.AddWithValue("$id", transfer.TaskId);
            cmd.Parameters.AddWithValue("$shard", m.Fence.ShardId);
            cmd.Parameters.AddWithValue("$data", transfer.Data);
            cmd.ExecuteNonQuery();
        }
        if (m.Visibility is { } visibility)
        {
            SqliteVisibilityStore.Upsert(db, tx, visibility);
        }
        foreach (var task in m.NewMatchingTasks)
        {
            var cmd = Command(tx, InsertTaskSql, new WorkflowKey(task.Queue.NamespaceId, task.WorkflowId, task.RunId));
            cmd.Parameters.AddWithValue("$id", task.TaskId);
            cmd.Parameters.AddWithValue("$shard", m.Fence.ShardId);
            cmd.Parameters.AddWithValue("$queue", task.Queue.Name);
            cmd.Parameters.AddWithValue("$type", (int)task.Queue.Type);
            cmd.Parameters.AddWithValue("$scheduled", task.ScheduledEventId);
            cmd.Parameters.AddWithValue("$attempt", task.Attempt);
            cmd.Parameters.AddWithValue("$created", task.CreatedTime.ToUnixTimeMilliseconds());
            cmd.Parameters.AddWithValue("$pinned", (object?)TaskVersionColumn.Write(task.PinnedTo) ?? DBNull.Value);
            cmd.ExecuteNonQuery();
        }
    }

    public Task<ExecutionRecord?> GetExecutionAsync(WorkflowKey key, CancellationToken ct) => db.RunAsync(conn =>
    {
        var cmd = Command(null, SelectExecutionSql, key);
        using var r = cmd.ExecuteReader();
        return r.Read() ? new ExecutionRecord(key, r.GetInt64(0), r.GetInt64(1), r.GetInt32(2), (byte[])r[3]) : null;
    }, ct);

    public Task<CurrentExecutionRecord?> GetCurrentExecutionAsync(string namespaceId, string workflowId, CancellationToken ct) => db.RunAsync(conn =>
    {
        var cmd = Command(null, SelectCurrentSql, new WorkflowKey(namespaceId, workflowId, ""));
        using var r = cmd.ExecuteReader();
        return r.Read()
            ? new CurrentExecutionRecord(namespaceId, workflowId, r.GetString(0), r.GetString(1), r.GetInt32(2), r.GetString(3))
            : null;
    }, ct);

    public Task<IReadOnlyList<HistoryBatch>> ReadHistoryAsync(WorkflowKey key, long fromEventId, long toEventIdExclusive, CancellationToken ct) =>
        db.RunAsync(conn =>
        {
            var cmd = Command(null, SelectHistorySql, key);
            cmd.Parameters.AddWithValue("$from", fromEventId);
            cmd.Parameters.AddWithValue("$to", toEventIdExclusive);
            using var r = cmd.ExecuteReader();
            var list = new List<HistoryBatch>();
            while (r.Read())
            {
                list.Add(new HistoryBatch(r.GetInt64(0), r.GetInt64(1), (byte[])r[2]));
            }
            return (IReadOnlyList<HistoryBatch>)list;
        }, ct);

    public Task<IReadOnlyList<TimerTaskRecord>> LoadTimerPageAsync(int shardId, TimerCursor after, DateTimeOffset before, int limit, CancellationToken ct) =>
        db.RunAsync(conn =>
        {
            var cmd = db.Statement(SelectTimerPageSql, null);
            cmd.Parameters.AddWithValue("$shard", shardId);
            cmd.Parameters.AddWithValue("$fire", after.FireTime.ToUnixTimeMilliseconds());
            cmd.Parameters.AddWithValue("$id", after.TaskId);
            cmd.Parameters.AddWithValue("$before", before.ToUnixTimeMilliseconds());
            cmd.Parameters.AddWithValue("$limit", limit);
            return ReadTimers(cmd);
        }, ct);

    /// <summary>Timer rows as the timer queries select them: task id, fire time, run key, data.</summary>
    private static IReadOnlyList<TimerTaskRecord> ReadTimers(SqliteCommand cmd)
    {
        using var r = cmd.ExecuteReader();
        var list = new List<TimerTaskRecord>();
        while (r.Read())
        {
            list.Add(new TimerTaskRecord(r.GetInt64(0), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(1)),
                new WorkflowKey(r.GetString(2), r.GetString(3), r.GetString(4)), (byte[])r[5]));
        }
        return list;
    }

    public Task<IReadOnlyList<TransferTaskRecord>> LoadTransferTasksAsync(ShardSet shards, CancellationToken ct) => db.RunAsync(conn =>
    {
        using var cmd = conn.CreateCommand();
        cmd.CommandText = InShards(SelectTransfersSql, shards);
        using var r = cmd.ExecuteReader();
        var list = new List<TransferTaskRecord>();
        while (r.Read())
        {
            list.Add(new TransferTaskRecord(r.GetInt64(0), new WorkflowKey(r.GetString(1), r.GetString(2), r.GetString(3)), (byte[])r[4]));
        }
        return (IReadOnlyList<TransferTaskRecord>)list;
    }, ct);

    public Task<IReadOnlyList<MatchingTask>> LoadMatchingTasksAsync(ShardSet shards, CancellationToken ct) => db.RunAsync(conn =>
    {
        using var cmd = conn.CreateCommand();
        cmd.CommandText = InShards(SelectTasksSql, shards);
        using var r = cmd.ExecuteReader();
        var list = new List<MatchingTask>();
        while (r.Read())
        {
            list.Add(new MatchingTask(r.GetInt64(0), new TaskQueueKey(r.GetString(1), r.GetString(2), (TaskKind)r.GetInt32(3)),
                r.GetString(4), r.GetString(5), r.GetInt64(6), r.GetInt32(7), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(8)))
            {
                PinnedTo = TaskVersionColumn.Read(r.IsDBNull(9) ? null : r.GetString(9)),
            });
        }
        return (IReadOnlyList<MatchingTask>)list;
    }, ct);

    public Task DeleteTasksAsync(IReadOnlyList<long> timerTaskIds, IReadOnlyList<long> matchingTaskIds, CancellationToken ct) =>
        db.InTransactionAsync((conn, tx) =>
        {
            foreach (var id in timerTaskIds)
            {
                DeleteById(tx, DeleteTimerSql, id);
            }
            foreach (var id in matchingTaskIds)
            {
                DeleteById(tx, DeleteTaskSql, id);
            }
            return 0;
        }, ct);

    public Task DeleteTransferTasksAsync(IReadOnlyList<long> transferTaskIds, CancellationToken ct) =>
        db.InTransactionAsync((conn, tx) =>
        {
            foreach (var id in transferTaskIds)
            {
                DeleteById(tx, DeleteTransferSql, id);
            }
            return 0;
        }, ct);

    public Task<int> UpgradeLegacyTasksAsync(int shardCount, Func<byte[], byte[]?> transferOfLegacyTimer, CancellationToken ct) =>
        db.InTransactionAsync((conn, tx) =>
        {
            var timers = new List<(long Id, WorkflowKey Key, byte[] Data)>();
            using (var select = conn.CreateCommand())
            {
                select.Transaction = tx;
                select.CommandText = SelectLegacyTimersSql;
                using var r = select.ExecuteReader();
                while (r.Read())
                {
                    timers.Add((r.GetInt64(0), new WorkflowKey(r.GetString(1), r.GetString(2), r.GetString(3)), (byte[])r[4]));
                }
            }
            var tasks = new List<(long Id, string NamespaceId, string WorkflowId)>();
            using (var select = conn.CreateCommand())
            {
                select.Transaction = tx;
                select.CommandText = SelectLegacyTasksSql;
                using var r = select.ExecuteReader();
                while (r.Read())
                {
                    tasks.Add((r.GetInt64(0), r.GetString(1), r.GetString(2)));
                }
            }
            foreach (var (id, key, data) in timers)
            {
                var shard = Shards.Of(key.NamespaceId, key.WorkflowId, shardCount);
                if (transferOfLegacyTimer(data) is { } transfer)
                {
                    var move = Command(tx, MoveToTransferSql, key);
                    move.Parameters.AddWithValue("$id", id);
                    move.Parameters.AddWithValue("$shard", shard);
                    move.Parameters.AddWithValue("$data", transfer);
                    move.ExecuteNonQuery();
                    DeleteById(tx, DeleteTimerSql, id);
                }
                else
                {
                    SetShard(tx, SetTimerShardSql, id, shard);
                }
            }
            foreach (var (id, namespaceId, workflowId) in tasks)
            {
                SetShard(tx, SetTaskShardSql, id, Shards.Of(namespaceId, workflowId, shardCount));
            }
            return timers.Count + tasks.Count;
        }, ct);

    /// <summary>The fence is not checked: one process alone opens a SQLite database.</summary>
    public Task DeleteExecutionAsync(WorkflowKey key, ShardFence fence, CancellationToken ct) => db.InTransactionAsync((conn, tx) =>
    {
        foreach (var sql in DeleteExecutionSql)
        {
            Execute(tx, sql, key);
        }
        return 0;
    }, ct);

    public Task<long> GetMaxTaskIdAsync(CancellationToken ct) => db.RunAsync(conn =>
    {
        using var cmd = conn.CreateCommand();
        cmd.CommandText = MaxTaskIdSql;
        return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }, ct);

    private SqliteCommand Command(SqliteTransaction? tx, string sql, WorkflowKey key)
    {
        var cmd = db.Statement(sql, tx);
        cmd.Parameters.AddWithValue("$ns", key.NamespaceId);
        cmd.Parameters.AddWithValue("$wf", key.WorkflowId);
        if (sql.Contains("$run", StringComparison.Ordinal))
        {
            cmd.Parameters.AddWithValue("$run", key.RunId);
        }
        return cmd;
    }

    private void Execute(SqliteTransaction tx, string sql, WorkflowKey key)
    {
        var cmd = Command(tx, sql, key);
        cmd.ExecuteNonQuery();
    }

    /// <summary>A task load's SQL for <paramref name="shards"/>; the ids are integers, written into the text as literals.</summary>
    private static string InShards(string sql, ShardSet shards) => string.Format(CultureInfo.InvariantCulture, sql,
        shards.Ids is { } ids ? $" WHERE shard_id IN ({string.Join(',', ids.Select(id => id.ToString(CultureInfo.InvariantCulture)))})" : "");

    private void SetShard(SqliteTransaction tx, string sql, long id, int shard)
    {
        var cmd = db.Statement(sql, tx);
        cmd.Parameters.AddWithValue("$id", id);
        cmd.Parameters.AddWithValue("$shard", shard);
        cmd.ExecuteNonQuery();
    }

    private void DeleteById(SqliteTransaction tx, string sql, long id)
    {
        var cmd = db.Statement(sql, tx);
        cmd.Parameters.AddWithValue("$id", id);
        cmd.ExecuteNonQuery();
    }
}
