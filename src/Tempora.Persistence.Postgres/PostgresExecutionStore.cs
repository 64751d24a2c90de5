using Npgsql;
using NpgsqlTypes;
using Tempora.Core;
using Tempora.Core.Errors;
using Tempora.Persistence.Schedules;

namespace Tempora.Persistence.Postgres;

/// <summary>
/// Executions on PostgreSQL. Transitions are written with group commit: the transitions of different runs that
/// arrive while a commit is under way go into the next batch together, and a batch is one implicit transaction (one
/// round trip, one commit, one WAL flush for the lot). Each transition's conditions raise an error in SQL when they do
/// not hold; the failing transition then gets its own error and the rest of its group is sent again without it.
/// </summary>
internal sealed class PostgresExecutionStore : IExecutionStore, IAsyncDisposable
{
    /// <summary>Most transitions one batch carries.</summary>
    private const int MaxGroupSize = 64;

    /// <summary>Batches in flight at once, each on its own connection: while one waits for its commit, the next fills.</summary>
    private const int Committers = 2;

    private readonly NpgsqlDataSource _db;
    private readonly GroupCommitQueue<PendingTransition> _pending;

    /// <summary>Applies the visibility rows transitions enqueue; told after each commit that enqueued one.</summary>
    private readonly PostgresVisibilityStore _visibility;

    public PostgresExecutionStore(NpgsqlDataSource db, PostgresVisibilityStore visibility)
    {
        _db = db;
        _visibility = visibility;
        _pending = new GroupCommitQueue<PendingTransition>(MaxGroupSize, Committers, CommitGroupAsync);
    }

    // The fencing check: the shard's range_id must still be the one this process took over, else an error rolls the
    // batch back (0005_require.sql). FOR KEY SHARE keeps a takeover (SELECT ... FOR UPDATE) waiting until this
    // transaction ends, without serialising writers.
    private const string RequireFenceSql =
        "SELECT tempora_require(EXISTS (SELECT 1 FROM shards WHERE shard_id = $1 AND range_id = $2 FOR KEY SHARE), 'fence')";

    /// <summary>SQLSTATE of tempora_require: a condition of the transition does not hold; the message names it.</summary>
    private const string ConditionFailedState = "TP001";

    private const string InsertExecutionSql = """
        INSERT INTO executions (namespace_id, workflow_id, run_id, db_version, next_event_id, status, state)
        VALUES ($1, $2, $3, 1, $4, $5, $6)
        """;
    private const string UpdateExecutionSql = """
        WITH updated AS (
            UPDATE executions SET db_version = db_version + 1, next_event_id = $4, status = $5, state = $6
            WHERE namespace_id = $1 AND workflow_id = $2 AND run_id = $3 AND db_version = $7
            RETURNING 1)
        SELECT tempora_require((SELECT count(*) FROM updated) = 1, 'version')
        """;
    private const string InsertCurrentSql = """
        INSERT INTO current_executions (namespace_id, workflow_id, run_id, create_request_id, status, first_execution_run_id)
        VALUES ($1, $2, $3, $4, $5, $6)
        """;
    private const string ReplaceCurrentSql = """
        WITH replaced AS (
            UPDATE current_executions SET run_id = $3, create_request_id = $4, status = $5, first_execution_run_id = $6
            WHERE namespace_id = $1 AND workflow_id = $2 AND run_id = $7
            RETURNING 1)
        SELECT tempora_require((SELECT count(*) FROM replaced) = 1, 'current')
        """;
    private const string UpdateCurrentStatusSql = """
        UPDATE current_executions SET status = $4 WHERE namespace_id = $1 AND workflow_id = $2 AND run_id = $3
        """;
    private const string InsertHistorySql = """
        INSERT INTO history_node (namespace_id, workflow_id, run_id, first_event_id, last_event_id, data)
        VALUES ($1, $2, $3, $4, $5, $6)
        """;
    private const string InsertTimerSql = """
        INSERT INTO timer_tasks (namespace_id, workflow_id, run_id, task_id, shard_id, fire_time, data) VALUES ($1, $2, $3, $4, $5, $6, $7)
        """;
    private const string InsertTransferSql = """
        INSERT INTO transfer_tasks (namespace_id, workflow_id, run_id, task_id, shard_id, data) VALUES ($1, $2, $3, $4, $5, $6)
        """;
    private const string InsertTaskSql = """
        INSERT INTO tasks (namespace_id, workflow_id, run_id, task_id, shard_id, task_queue, task_type, scheduled_event_id, attempt, created_time, pinned_version)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
        """;
    private const string DeleteTimersSql = "DELETE FROM timer_tasks WHERE task_id = ANY($1)";
    private const string DeleteTasksSql = "DELETE FROM tasks WHERE task_id = ANY($1)";
    private const string DeleteTransfersSql = "DELETE FROM transfer_tasks WHERE task_id = ANY($1)";
    private const string DeleteRunTimersSql = "DELETE FROM timer_tasks WHERE namespace_id = $1 AND workflow_id = $2 AND run_id = $3";
    private const string DeleteRunTasksSql = "DELETE FROM tasks WHERE namespace_id = $1 AND workflow_id = $2 AND run_id = $3";
    private const string DeleteRunTransfersSql = "DELETE FROM transfer_tasks WHERE namespace_id = $1 AND workflow_id = $2 AND run_id = $3";
    private const string SelectExecutionSql = """
        SELECT db_version, next_event_id, status, state FROM executions WHERE namespace_id = $1 AND workflow_id = $2 AND run_id = $3
        """;
    private const string SelectCurrentSql = """
        SELECT run_id, create_request_id, status, first_execution_run_id FROM current_executions WHERE namespace_id = $1 AND workflow_id = $2
        """;
    // A batch overlaps the range when it ends at or after the first wanted id and starts before the end.
    private const string SelectHistorySql = """
        SELECT first_event_id, last_event_id, data FROM history_node
        WHERE namespace_id = $1 AND workflow_id = $2 AND run_id = $3 AND last_event_id >= $4 AND first_event_id < $5
        ORDER BY first_event_id
        """;
    // The task loads read every row, or those of a shard set ($1, an int[]) through the shard_id indexes.
    private const string ShardFilter = " WHERE shard_id = ANY($1)";
    // One page of a shard's timers after a (fire_time, task_id) cursor: the bounds on fire_time keep it a range of the
    // timer_tasks_by_shard index, the OR only skips the cursor's own fire time up to its task id.
    private const string SelectTimerPageSql = """
        SELECT task_id, fire_time, namespace_id, workflow_id, run_id, data FROM timer_tasks
        WHERE shard_id = $1 AND fire_time >= $2 AND fire_time < $4 AND (fire_time > $2 OR task_id > $3)
        ORDER BY fire_time, task_id LIMIT $5
        """;
    private const string SelectTransfersSql = "SELECT task_id, namespace_id, workflow_id, run_id, data FROM transfer_tasks{0} ORDER BY task_id";
    private const string SelectTasksSql = """
        SELECT task_id, namespace_id, task_queue, task_type, workflow_id, run_id, scheduled_event_id, attempt, created_time, pinned_version
        FROM tasks{0} ORDER BY task_id
        """;
    private const string SelectLegacyTimersSql = "SELECT task_id, namespace_id, workflow_id, run_id, data FROM timer_tasks WHERE shard_id = 0 FOR UPDATE";
    private const string SelectLegacyTasksSql = "SELECT task_id, namespace_id, workflow_id FROM tasks WHERE shard_id = 0 FOR UPDATE";
    private const string SetTimerShardSql = "UPDATE timer_tasks SET shard_id = $2 WHERE task_id = $1";
    private const string SetTaskShardSql = "UPDATE tasks SET shard_id = $2 WHERE task_id = $1";
    private const string MoveToTransferSql = """
        INSERT INTO transfer_tasks (namespace_id, workflow_id, run_id, task_id, shard_id, data) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING
        """;
    private const string DeleteTimerSql = "DELETE FROM timer_tasks WHERE task_id = $1";
    private static readonly string[] DeleteExecutionSql =
    [
        "DELETE FROM executions WHERE namespace_id = $1 AND workflow_id = $2 AND run_id = $3",
        "DELETE FROM history_node WHERE namespace_id = $1 AND workflow_id = $2 AND run_id = $3",
        DeleteRunTimersSql,
        DeleteRunTasksSql,
        DeleteRunTransfersSql,
        "DELETE FROM current_executions WHERE namespace_id = $1 AND workflow_id = $2 AND run_id = $3",
    ];
    // Every start takes a fresh block of 2^32 ids from a sequence, so replicas never hand out the same id, and ids stay
    // above every id used before (also rows written before version 4, when ids were a per-process counter).
    private const string MaxTaskIdSql =
        "SELECT GREATEST((SELECT MAX(task_id) FROM timer_tasks), (SELECT MAX(task_id) FROM tasks), (SELECT MAX(task_id) FROM transfer_tasks), nextval('task_id_blocks') << 32)";

    /// <summary>
    /// Writes a transition (with its successor, if any) atomically and returns once it is committed. The fencing token
    /// (when the writer holds its shard by a lease),
    /// the run's version, the current-run pointer and the version of a schedule the transition writes are checked by
    /// statements that raise an error when they do not hold (tempora_require), which rolls the batch back. A caller
    /// that gives up before its batch is sent is cancelled; once sent, it waits for the outcome.
    /// </summary>
    public Task WriteAsync(ExecutionMutation m, CancellationToken ct)
    {
        // Checked before the write joins a group: an error while the group's batch is built would fail the whole group.
        for (var next = m; next is not null; next = next.Successor)
        {
            next.Schedule?.ThrowIfInconsistent();
        }
        var pending = new PendingTransition(m, ct);
        _pending.Enqueue(pending);
        return pending.Task;
    }

    private async Task CommitGroupAsync(List<PendingTransition> group)
    {
        while (group.Count > 0)
        {
            await using var batch = _db.CreateBatch();
            foreach (var pending in group)
            {
                pending.FirstCommand = batch.BatchCommands.Count;
                Add(batch, pending);
                pending.EndCommand = batch.BatchCommands.Count;
            }
            try
            {
                await batch.ExecuteNonQueryAsync(CancellationToken.None);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DeadlockDetected && group.Count > 1)
            {
                // Two batches waited on each other's rows (two starts of the same ids in opposite order): one at a time.
                foreach (var pending in group.ToList())
                {
                    await CommitGroupAsync([pending]);
                }
                return;
            }
            catch (PostgresException e) when (Culprit(group, batch, e) is { } culprit)
            {
                // One transition's statement failed (mostly a condition); the batch was rolled back as a whole, so
                // that transition gets its error and the others go again.
                culprit.Complete(ConditionFailure(e, culprit) ?? e);
                group.Remove(culprit);
                continue;
            }
            catch (Exception e)
            {
                // The batch failed for a reason of its own (connection, server): every transition in it failed.
                foreach (var pending in group)
                {
                    pending.Complete(e);
                }
                return;
            }
            foreach (var pending in group)
            {
                // Told before the caller resumes: a list right after the write flushes the outbox (read-your-writes).
                for (var next = pending.Mutation; next is not null; next = next.Successor)
                {
                    if (next.Visibility is not null || next.Schedule is { } schedule && PostgresScheduleStore.EnqueuesVisibility(schedule))
                    {
                        _visibility.Enqueued();
                    }
                }
                pending.Complete(null);
            }
            return;
        }
    }

    /// <summary>The transition whose statement raised <paramref name="e"/>, when Npgsql names the statement.</summary>
    private static PendingTransition? Culprit(List<PendingTransition> group, NpgsqlBatch batch, PostgresException e)
    {
        var index = e.BatchCommand is { } command ? batch.BatchCommands.IndexOf(command) : -1;
        return index < 0 ? null : group.Find(p => p.FirstCommand <= index && index < p.EndCommand);
    }

    /// <summary>The domain error for a condition of <paramref name="culprit"/> that did not hold; null for other errors.</summary>
    private static Exception? ConditionFailure(PostgresException e, PendingTransition culprit)
    {
        var m = culprit.Mutation;
        return e.SqlState switch
        {
            ConditionFailedState when PostgresScheduleStore.FailedDepth(e.MessageText) is { } depth => ScheduleConditionFailure(m, depth),
            ConditionFailedState => e.MessageText switch
            {
                "fence" => new ShardOwnershipLostException(m.Fence.ShardId),
                "current" => new CurrentExecutionConditionFailedException(m.Key.WorkflowId),
                _ => new ExecutionConditionFailedException(m.Key, m.ExpectedDbVersion),
            },
            // The workflow id already has a current run, or a writer with a stale copy collided with newer rows.
            PostgresErrorCodes.UniqueViolation => e.ConstraintName == "current_executions_pkey"
                ? new CurrentExecutionConditionFailedException(m.Key.WorkflowId)
                : new ExecutionConditionFailedException(m.Key, m.ExpectedDbVersion),
            _ => null,
        };
    }

    /// <summary>The failure of the schedule write carried by the transition at <paramref name="depth"/> in the chain.</summary>
    private static Exception ScheduleConditionFailure(ExecutionMutation m, int depth)
    {
        var carrier = m;
        for (var i = 0; i < depth && carrier.Successor is not null; i++)
        {
            carrier = carrier.Successor;
        }
        // Returned, not thrown: this runs while the group is committed, where a throw would fail the whole group.
        return carrier.Schedule is { } write
            ? new ScheduleConditionFailedException(write.NamespaceId, write.ScheduleId, write.ExpectedVersion)
            : new InvalidOperationException($"No schedule write at depth {depth} of the transition of {m.Key}.");
    }

    private static void Add(NpgsqlBatch batch, PendingTransition pending)
    {
        AddFence(batch, pending.Mutation.Fence);
        var depth = 0;
        for (var next = pending.Mutation; next is not null; next = next.Successor)
        {
            if (next.Schedule is { } schedule)
            {
                PostgresScheduleStore.Add(batch, schedule, depth);
            }
            Add(batch, next);
            depth++;
        }
    }

    /// <summary>A transition waiting for its group's commit.</summary>
    private sealed class PendingTransition(ExecutionMutation mutation, CancellationToken ct) : IGroupedWrite
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ExecutionMutation Mutation => mutation;

        /// <summary>The range of this transition's statements in the current batch.</summary>
        public int FirstCommand { get; set; }

        public int EndCommand { get; set; }

        public Task Task => _done.Task;

        public bool CancelIfRequested() => ct.IsCancellationRequested && _done.TrySetCanceled(ct);

        public void FailUnlessComplete(Exception error) => Complete(error);

        public void Complete(Exception? error)
        {
            if (error is null)
            {
                _done.TrySetResult();
            }
            else
            {
                _done.TrySetException(error);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Transitions already queued are committed before the pool closes.
        await _pending.DisposeAsync();
    }

    private static void Add(NpgsqlBatch batch, ExecutionMutation m)
    {
        var key = m.Key;
        if (m.CreateWithCurrent is { } condition)
        {
            Add(batch, InsertExecutionSql, key, m.NextEventId, m.Status, m.State);
            var current = m.Current ?? throw new ArgumentException("A created run needs its current pointer.", nameof(m));
            if (condition.ExpectedRunId is null)
            {
                Add(batch, InsertCurrentSql, key, current.CreateRequestId, current.Status, current.FirstExecutionRunId);
            }
            else
            {
                Add(batch, ReplaceCurrentSql, key, current.CreateRequestId, current.Status, current.FirstExecutionRunId, condition.ExpectedRunId);
            }
        }
        else
        {
            Add(batch, UpdateExecutionSql, key, m.NextEventId, m.Status, m.State, m.ExpectedDbVersion);
            if (m.Current is { } current)
            {
                Add(batch, UpdateCurrentStatusSql, key, current.Status);
            }
        }
        foreach (var h in m.NewHistory)
        {
            Add(batch, InsertHistorySql, key, h.FirstEventId, h.LastEventId, h.Data);
        }
        if (m.DeleteAllTasksOfRun)
        {
            Add(batch, DeleteRunTimersSql, key);
            Add(batch, DeleteRunTasksSql, key);
            Add(batch, DeleteRunTransfersSql, key);
        }
        if (m.DeletedTimerTasks.Count > 0)
        {
            AddIdList(batch, DeleteTimersSql, m.DeletedTimerTasks);
        }
        if (m.DeletedMatchingTasks.Count > 0)
        {
            AddIdList(batch, DeleteTasksSql, m.DeletedMatchingTasks);
        }
        if (m.DeletedTransferTasks.Count > 0)
        {
            AddIdList(batch, DeleteTransfersSql, m.DeletedTransferTasks);
        }
        foreach (var timer in m.NewTimerTasks)
        {
            Add(batch, InsertTimerSql, timer.Key, timer.TaskId, m.Fence.ShardId, timer.FireTime.ToUniversalTime(), timer.Data);
        }
        foreach (var transfer in m.NewTransferTasks)
        {
            Add(batch, InsertTransferSql, transfer.Key, transfer.TaskId, m.Fence.ShardId, transfer.Data);
        }
        if (m.Visibility is { } visibility)
        {
            batch.BatchCommands.Add(PostgresVisibilityStore.Enqueue(visibility));
        }
        foreach (var task in m.NewMatchingTasks)
        {
            var insert = Add(batch, InsertTaskSql, new WorkflowKey(task.Queue.NamespaceId, task.WorkflowId, task.RunId), task.TaskId, m.Fence.ShardId, task.Queue.Name,
                (int)task.Queue.Type, task.ScheduledEventId, task.Attempt, task.CreatedTime.ToUniversalTime());
            insert.Parameters.Add(new NpgsqlParameter { Value = (object?)TaskVersionColumn.Write(task.PinnedTo) ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        }
    }

    /// <summary>Adds a statement whose first three parameters are the run's key, then <paramref name="values"/>.</summary>
    private static NpgsqlBatchCommand Add(NpgsqlBatch batch, string sql, WorkflowKey key, params object[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = key.NamespaceId });
        command.Parameters.Add(new NpgsqlParameter { Value = key.WorkflowId });
        command.Parameters.Add(new NpgsqlParameter { Value = key.RunId });
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }
        batch.BatchCommands.Add(command);
        return command;
    }

    /// <summary>Adds the fencing check first in the batch when the writer holds the shard by a lease (a process alone on
    /// the database, in tests, holds none).</summary>
    private static void AddFence(NpgsqlBatch batch, ShardFence fence)
    {
        if (fence.IsLeased)
        {
            var command = new NpgsqlBatchCommand(RequireFenceSql);
            command.Parameters.Add(new NpgsqlParameter { Value = fence.ShardId });
            command.Parameters.Add(new NpgsqlParameter { Value = fence.RangeId });
            batch.BatchCommands.Add(command);
        }
    }

    private static void AddIdList(NpgsqlBatch batch, string sql, IReadOnlyList<long> ids)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = ids.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
        batch.BatchCommands.Add(command);
    }

    public async Task<ExecutionRecord?> GetExecutionAsync(WorkflowKey key, CancellationToken ct)
    {
        await using var cmd = Command(SelectExecutionSql, key);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? new ExecutionRecord(key, r.GetInt64(0), r.GetInt64(1), r.GetInt32(2), (byte[])r[3]) : null;
    }

    public async Task<CurrentExecutionRecord?> GetCurrentExecutionAsync(string namespaceId, string workflowId, CancellationToken ct)
    {
        await using var cmd = _db.CreateCommand(SelectCurrentSql);
        cmd.Parameters.Add(new NpgsqlParameter { Value = namespaceId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = workflowId });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct)
            ? new CurrentExecutionRecord(namespaceId, workflowId, r.GetString(0), r.GetString(1), r.GetInt32(2), r.GetString(3))
            : null;
    }

    public async Task<IReadOnlyList<HistoryBatch>> ReadHistoryAsync(WorkflowKey key, long fromEventId, long toEventIdExclusive, CancellationToken ct)
    {
        await using var cmd = Command(SelectHistorySql, key, fromEventId, toEventIdExclusive);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<HistoryBatch>();
        while (await r.ReadAsync(ct))
        {
            list.Add(new HistoryBatch(r.GetInt64(0), r.GetInt64(1), (byte[])r[2]));
        }
        return list;
    }

    public async Task<IReadOnlyList<TimerTaskRecord>> LoadTimerPageAsync(int shardId, TimerCursor after, DateTimeOffset before, int limit, CancellationToken ct)
    {
        await using var cmd = _db.CreateCommand(SelectTimerPageSql);
        cmd.Parameters.Add(new NpgsqlParameter { Value = shardId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = after.FireTime.ToUniversalTime() });
        cmd.Parameters.Add(new NpgsqlParameter { Value = after.TaskId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = before.ToUniversalTime() });
        cmd.Parameters.Add(new NpgsqlParameter { Value = limit });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<TimerTaskRecord>();
        while (await r.ReadAsync(ct))
        {
            list.Add(new TimerTaskRecord(r.GetInt64(0), r.GetFieldValue<DateTimeOffset>(1),
                new WorkflowKey(r.GetString(2), r.GetString(3), r.GetString(4)), (byte[])r[5]));
        }
        return list;
    }

    public async Task<IReadOnlyList<TransferTaskRecord>> LoadTransferTasksAsync(ShardSet shards, CancellationToken ct)
    {
        await using var cmd = InShards(SelectTransfersSql, shards);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<TransferTaskRecord>();
        while (await r.ReadAsync(ct))
        {
            list.Add(new TransferTaskRecord(r.GetInt64(0), new WorkflowKey(r.GetString(1), r.GetString(2), r.GetString(3)), (byte[])r[4]));
        }
        return list;
    }

    public async Task<IReadOnlyList<MatchingTask>> LoadMatchingTasksAsync(ShardSet shards, CancellationToken ct)
    {
        await using var cmd = InShards(SelectTasksSql, shards);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<MatchingTask>();
        while (await r.ReadAsync(ct))
        {
            list.Add(new MatchingTask(r.GetInt64(0), new TaskQueueKey(r.GetString(1), r.GetString(2), (TaskKind)r.GetInt32(3)),
                r.GetString(4), r.GetString(5), r.GetInt64(6), r.GetInt32(7), r.GetFieldValue<DateTimeOffset>(8))
            {
                PinnedTo = TaskVersionColumn.Read(r.IsDBNull(9) ? null : r.GetString(9)),
            });
        }
        return list;
    }

    public async Task DeleteTasksAsync(IReadOnlyList<long> timerTaskIds, IReadOnlyList<long> matchingTaskIds, CancellationToken ct)
    {
        await using var batch = _db.CreateBatch();
        AddIdList(batch, DeleteTimersSql, timerTaskIds);
        AddIdList(batch, DeleteTasksSql, matchingTaskIds);
        await batch.ExecuteNonQueryAsync(ct); // a batch without a transaction runs as one implicit transaction
    }

    public async Task DeleteTransferTasksAsync(IReadOnlyList<long> transferTaskIds, CancellationToken ct)
    {
        await using var batch = _db.CreateBatch();
        AddIdList(batch, DeleteTransfersSql, transferTaskIds);
        await batch.ExecuteNonQueryAsync(ct);
    }

    public async Task<int> UpgradeLegacyTasksAsync(int shardCount, Func<byte[], byte[]?> transferOfLegacyTimer, CancellationToken ct)
    {
        // One transaction; the rows are locked as read, so replicas starting together carry each row over once (the
        // second finds it done: shard_id set, or the timer moved).
        await using var conn = await _db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var timers = new List<(long Id, WorkflowKey Key, byte[] Data)>();
        await using (var select = new NpgsqlCommand(SelectLegacyTimersSql, conn, tx))
        await using (var r = await select.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                timers.Add((r.GetInt64(0), new WorkflowKey(r.GetString(1), r.GetString(2), r.GetString(3)), (byte[])r[4]));
            }
        }
        var tasks = new List<(long Id, string NamespaceId, string WorkflowId)>();
        await using (var select = new NpgsqlCommand(SelectLegacyTasksSql, conn, tx))
        await using (var r = await select.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                tasks.Add((r.GetInt64(0), r.GetString(1), r.GetString(2)));
            }
        }
        if (timers.Count + tasks.Count == 0)
        {
            return 0;
        }
        await using var batch = new NpgsqlBatch(conn, tx);
        foreach (var (id, key, data) in timers)
        {
            var shard = Shards.Of(key.NamespaceId, key.WorkflowId, shardCount);
            if (transferOfLegacyTimer(data) is { } transfer)
            {
                Add(batch, MoveToTransferSql, key, id, shard, transfer);
                AddById(batch, DeleteTimerSql, id);
            }
            else
            {
                AddById(batch, SetTimerShardSql, id, shard);
            }
        }
        foreach (var (id, namespaceId, workflowId) in tasks)
        {
            AddById(batch, SetTaskShardSql, id, Shards.Of(namespaceId, workflowId, shardCount));
        }
        await batch.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
        return timers.Count + tasks.Count;
    }

    private static void AddById(NpgsqlBatch batch, string sql, long id, params object[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }
        batch.BatchCommands.Add(command);
    }

    /// <summary>A task load for <paramref name="shards"/>: every row, or those whose shard_id is in the set.</summary>
    private NpgsqlCommand InShards(string sql, ShardSet shards)
    {
        if (shards.Ids is not { } ids)
        {
            return _db.CreateCommand(string.Format(System.Globalization.CultureInfo.InvariantCulture, sql, ""));
        }
        var cmd = _db.CreateCommand(string.Format(System.Globalization.CultureInfo.InvariantCulture, sql, ShardFilter));
        cmd.Parameters.Add(new NpgsqlParameter { Value = ids.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer });
        return cmd;
    }

    public async Task DeleteExecutionAsync(WorkflowKey key, ShardFence fence, CancellationToken ct)
    {
        await using var batch = _db.CreateBatch();
        AddFence(batch, fence);
        foreach (var sql in DeleteExecutionSql)
        {
            Add(batch, sql, key);
        }
        batch.BatchCommands.Add(PostgresVisibilityStore.EnqueueDelete(key.NamespaceId, key.RunId));
        try
        {
            await batch.ExecuteNonQueryAsync(ct); // one implicit transaction
        }
        catch (PostgresException e) when (e.SqlState == ConditionFailedState)
        {
            throw new ShardOwnershipLostException(fence.ShardId);
        }
        _visibility.Enqueued();
    }

    public async Task<long> GetMaxTaskIdAsync(CancellationToken ct)
    {
        await using var cmd = _db.CreateCommand(MaxTaskIdSql);
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    private NpgsqlCommand Command(string sql, WorkflowKey key, params object[] values)
    {
        var cmd = _db.CreateCommand(sql);
        cmd.Parameters.Add(new NpgsqlParameter { Value = key.NamespaceId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = key.WorkflowId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = key.RunId });
        foreach (var value in values)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = value });
        }
        return cmd;
    }
}
