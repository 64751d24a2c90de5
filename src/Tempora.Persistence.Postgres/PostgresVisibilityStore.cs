using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Tempora.Core.Metrics;
using Tempora.Persistence.VisibilitySql;
using Tempora.Visibility;
using Tempora.Visibility.Query;

namespace Tempora.Persistence.Postgres;

/// <summary>
/// Visibility on PostgreSQL. Transitions enqueue their new visibility row in the main database's visibility_tasks
/// outbox (same transaction); this store's processor applies the outbox to the visibility database in order, right
/// after each commit (and every second, for rows a crash left behind), then deletes what it applied. Applying is
/// idempotent (rows carry a version), so a crash between the two steps only repeats work. A row the visibility
/// database refuses is set aside in visibility_tasks_dlq (PostgresVisibilityStore.DeadLetters.cs) so that it never
/// blocks the rows after it. A list or count first applies what is pending, whichever replica enqueued it, so that it
/// sees every write acknowledged before it. List filters compile to PostgreSQL SQL (<see cref="SqlCompiler"/>).
/// </summary>
internal sealed partial class PostgresVisibilityStore : IVisibilityStore, IVisibilityOutbox, IAsyncDisposable
{
    internal const string EnqueueSql = "INSERT INTO visibility_tasks (namespace_id, run_id, version, data) VALUES ($1, $2, $3, $4)";
    private const string Columns = VisibilityTable.Columns;
    private const string UpsertSql = $"""
        INSERT INTO executions_visibility ({Columns})
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19::jsonb, $20)
        {VisibilityTable.UpsertOnConflict}
        """;
    private const string CloseKey = "COALESCE(close_time, 'infinity'::timestamptz)";

    private readonly NpgsqlDataSource _main;
    private readonly NpgsqlDataSource _visibility;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly SemaphoreSlim _applying = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    // Starts at 1: rows a previous process left in the outbox are applied by the first list, not only at the next write.
    private long _enqueued = 1;
    private long _applied;
    private ILogger _logger = NullLogger.Instance;
    private IMetrics _metrics = NullMetrics.Instance;

    public PostgresVisibilityStore(NpgsqlDataSource main, NpgsqlDataSource visibility)
    {
        _main = main;
        _visibility = visibility;
    }

    /// <summary>$1 is the namespace id; query parameters follow.</summary>
    private static string Placeholder(int i) => $"${i + 2}";

    /// <summary>
    /// Starts applying the outbox in the background, at once (rows a previous process left are applied without
    /// waiting for a write), then after each commit and every second. Failures go to <paramref name="logger"/>, set-aside
    /// rows to <paramref name="metrics"/> as well.
    /// </summary>
    public void Start(ILogger logger, IMetrics metrics)
    {
        if (_loop is not null)
        {
            return;
        }
        _logger = logger;
        _metrics = metrics;
        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>A transition enqueued a row and committed: apply it soon.</summary>
    internal void Enqueued()
    {
        Interlocked.Increment(ref _enqueued);
        _wake.Release();
    }

    internal static NpgsqlBatchCommand Enqueue(VisibilityRecord r)
    {
        var command = new NpgsqlBatchCommand(EnqueueSql);
        command.Parameters.Add(new NpgsqlParameter { Value = r.NamespaceId });
        command.Parameters.Add(new NpgsqlParameter { Value = r.RunId });
        command.Parameters.Add(new NpgsqlParameter { Value = r.Version });
        command.Parameters.Add(new NpgsqlParameter { Value = JsonSerializer.SerializeToUtf8Bytes(r) });
        return command;
    }

    /// <summary>The outbox entry that deletes a run's row (its execution was deleted).</summary>
    internal static NpgsqlBatchCommand EnqueueDelete(string namespaceId, string runId)
    {
        var command = new NpgsqlBatchCommand(EnqueueSql);
        command.Parameters.Add(new NpgsqlParameter { Value = namespaceId });
        command.Parameters.Add(new NpgsqlParameter { Value = runId });
        command.Parameters.Add(new NpgsqlParameter { Value = long.MaxValue });
        command.Parameters.Add(new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bytea });
        return command;
    }

    /// <summary>
    /// Waits until everything committed before the call is visible (read-your-writes for list and count), whichever
    /// replica committed it. The counters know only this process's writes; a run on another replica's shard was
    /// written there, and the client may list through this one right after, before that replica has applied its row.
    /// So when nothing of ours is pending, the shared outbox itself is asked.
    /// </summary>
    public async Task FlushAsync(CancellationToken ct)
    {
        var target = Interlocked.Read(ref _enqueued);
        if (Interlocked.Read(ref _applied) >= target && !await OutboxHasRowsAsync(ct))
        {
            return;
        }
        // Rows another replica is applying at this moment are still there until it commits; applying waits for it on
        // the advisory lock, and the visibility rows are committed before the outbox rows are deleted.
        await ApplyPendingAsync(ct);
    }

    private async Task<bool> OutboxHasRowsAsync(CancellationToken ct)
    {
        await using var cmd = _main.CreateCommand("SELECT EXISTS (SELECT 1 FROM visibility_tasks)");
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }

    private async Task RunAsync(CancellationToken ct)
    {
        var round = 0;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (round++ % ParkedRefreshRounds == 0)
                {
                    await RefreshParkedAsync(ct); // other replicas park rows too: the gauge counts the shared table
                }
                await ApplyPendingAsync(ct);
                if (Failing is { } failing)
                {
                    Failing = null;
                    LogOutboxRecovered(_logger, failing);
                }
                if (await _wake.WaitAsync(TimeSpan.FromSeconds(1), ct))
                {
                    // Woken by a commit: let the commits of the next moments join this round, so that one round (two
                    // commits, one per database) applies the rows of many transitions, and the newest row of each run
                    // only. Lists and counts do not wait for it: they apply what is pending themselves (FlushAsync).
                    await Task.Delay(CoalesceWindow, ct);
                    while (_wake.Wait(0, CancellationToken.None))
                    {
                    }
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // A database is unreachable (or something unexpected): the outbox keeps the rows, the next round applies
                // them. Logged once per streak of failures, not every second.
                if (Failing is null)
                {
                    LogOutboxFailing(_logger, e);
                }
                Failing = $"{e.GetType().Name}: {e.Message}";
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Applies the outbox in order, in batches, until it is empty.</summary>
    private async Task ApplyPendingAsync(CancellationToken ct)
    {
        await _applying.WaitAsync(ct);
        try
        {
            while (true)
            {
                var enqueuedBefore = Interlocked.Read(ref _enqueued);
                // Replicas share the outbox: the transaction-scoped advisory lock lets one of them at a time read,
                // apply and delete a batch, so an older row is never applied after a newer one for the same run.
                await using var conn = await _main.OpenConnectionAsync(ct);
                await using var tx = await conn.BeginTransactionAsync(ct);
                await using (var exclusive = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({OutboxLockKey})", conn, tx))
                {
                    await exclusive.ExecuteNonQueryAsync(ct);
                }
                var tasks = await ReadOutboxAsync(conn, tx, ct);
                IReadOnlyList<DeadLetter> parked = [];
                if (tasks.Count > 0)
                {
                    try
                    {
                        await ApplyAsync(tasks, ct);
                    }
                    catch (Exception e) when (IsDataError(e))
                    {
                        // Some row of the batch cannot be applied: apply them one by one and set the culprits aside.
                        parked = await ApplyOneByOneAsync(tasks, ct);
                        await ParkAsync(conn, tx, parked, ct);
                    }
                    await DeleteOutboxAsync(conn, tx, tasks.Select(t => t.TaskId).ToArray(), ct);
                }
                await tx.CommitAsync(ct);
                if (parked.Count > 0)
                {
                    ReportParked(parked);
                }
                if (tasks.Count < OutboxBatch)
                {
                    InterlockedMax(ref _applied, enqueuedBefore);
                    return;
                }
            }
        }
        finally
        {
            _applying.Release();
        }
    }

    private const int OutboxBatch = 500;

    /// <summary>How long a round waits after the commit that woke it, gathering the rows of later commits.</summary>
    private static readonly TimeSpan CoalesceWindow = TimeSpan.FromMilliseconds(50);

    /// <summary>Key of the advisory lock that serializes the outbox's appliers (any constant unique to Tempora).</summary>
    private const long OutboxLockKey = 7_233_000_001;

    private static async Task<List<OutboxTask>> ReadOutboxAsync(NpgsqlConnection conn, NpgsqlTransaction tx, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand($"SELECT task_id, namespace_id, run_id, version, data FROM visibility_tasks ORDER BY task_id LIMIT {OutboxBatch}", conn, tx);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<OutboxTask>();
        while (await r.ReadAsync(ct))
        {
            list.Add(new OutboxTask(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetInt64(3), r.IsDBNull(4) ? null : (byte[])r[4]));
        }
        return list;
    }

    private async Task ApplyAsync(IReadOnlyList<OutboxTask> tasks, CancellationToken ct)
    {
        await using var conn = await _visibility.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using var batch = new NpgsqlBatch(conn, tx);
        foreach (var task in Latest(tasks))
        {
            batch.BatchCommands.Add(Command(task));
        }
        await batch.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// The rows worth applying: per run only the newest (highest version, a deletion above all), since a row carries
    /// the run's whole visibility record and an older version is refused once a newer one is stored. A run's start,
    /// first task and close, committed within milliseconds of each other, then cost one upsert instead of three.
    /// </summary>
    private static List<OutboxTask> Latest(IReadOnlyList<OutboxTask> tasks)
    {
        var newest = new Dictionary<(string NamespaceId, string RunId), int>(tasks.Count);
        var keep = new List<OutboxTask>(tasks.Count);
        foreach (var task in tasks)
        {
            var key = (task.NamespaceId, task.RunId);
            if (!newest.TryGetValue(key, out var at))
            {
                newest.Add(key, keep.Count);
                keep.Add(task);
            }
            else if (task.Version >= keep[at].Version)
            {
                keep[at] = task;
            }
        }
        return keep;
    }

    /// <summary>The statement that applies one outbox row to executions_visibility.</summary>
    private static NpgsqlBatchCommand Command(OutboxTask task)
    {
        if (task.Data is not { } data)
        {
            var delete = new NpgsqlBatchCommand("DELETE FROM executions_visibility WHERE namespace_id = $1 AND run_id = $2");
            delete.Parameters.Add(new NpgsqlParameter { Value = task.NamespaceId });
            delete.Parameters.Add(new NpgsqlParameter { Value = task.RunId });
            return delete;
        }
        var v = JsonSerializer.Deserialize<VisibilityRecord>(data)
            ?? throw new JsonException("the outbox row's data is JSON null");
        var upsert = new NpgsqlBatchCommand(UpsertSql);
        foreach (var value in new object?[]
        {
            v.NamespaceId, v.RunId, v.WorkflowId, v.WorkflowType, v.Status, v.StartTime.ToUniversalTime(), v.ExecutionTime.ToUniversalTime(),
            v.CloseTime?.ToUniversalTime(), v.TaskQueue, v.HistoryLength, v.HistorySizeBytes, v.ExecutionDurationNanos,
            v.StateTransitionCount, v.ParentWorkflowId, v.ParentRunId, v.RootWorkflowId, v.RootRunId, v.Memo,
            v.SearchAttributesJson, v.Version,
        })
        {
            upsert.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        }
        // Typed nulls: PostgreSQL cannot infer a type for an untyped NULL parameter.
        upsert.Parameters[7].NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz;
        upsert.Parameters[11].NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint;
        upsert.Parameters[13].NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text;
        upsert.Parameters[14].NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text;
        upsert.Parameters[17].NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bytea;
        upsert.Parameters[18].NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text;
        return upsert;
    }

    private static async Task DeleteOutboxAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long[] taskIds, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("DELETE FROM visibility_tasks WHERE task_id = ANY($1)", conn, tx);
        cmd.Parameters.Add(new NpgsqlParameter { Value = taskIds });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<VisibilityPage> ListAsync(string namespaceId, VisibilityQuery filter, int pageSize, VisibilityCursor? after, CancellationToken ct)
    {
        await FlushAsync(ct);
        var query = SqlCompiler.Compile(filter, SqlDialect.Postgres, Placeholder);
        await using var cmd = Query(namespaceId, query);
        var sql = $"SELECT {Columns} FROM executions_visibility WHERE namespace_id = $1 AND ({query.Where})";
        if (after is not null)
        {
            // Keyset paging in the fixed order: rows strictly after the cursor (open runs sort as close time +infinity).
            var k = cmd.Parameters.Count + 1;
            var closeKey = after.CloseTimeKey == long.MaxValue ? "'infinity'::timestamptz" : $"${k}";
            sql += $" AND ({CloseKey} < {closeKey} OR ({CloseKey} = {closeKey} AND (start_time < ${k + 1} OR (start_time = ${k + 1} AND run_id COLLATE \"C\" > ${k + 2}))))";
            cmd.Parameters.Add(new NpgsqlParameter
            {
                Value = after.CloseTimeKey == long.MaxValue ? DateTimeOffset.UnixEpoch : VisibilityCursor.FromMicros(after.CloseTimeKey),
            });
            cmd.Parameters.Add(new NpgsqlParameter { Value = VisibilityCursor.FromMicros(after.StartTimeKey) });
            cmd.Parameters.Add(new NpgsqlParameter { Value = after.RunId });
        }
        cmd.CommandText = sql + $" ORDER BY {CloseKey} DESC, start_time DESC, run_id COLLATE \"C\" LIMIT {pageSize + 1}";
        var records = new List<VisibilityRecord>();
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
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
    }

    public async Task<long> CountAsync(string namespaceId, VisibilityQuery filter, CancellationToken ct)
    {
        await FlushAsync(ct);
        var query = SqlCompiler.Compile(filter, SqlDialect.Postgres, Placeholder);
        await using var cmd = Query(namespaceId, query);
        cmd.CommandText = $"SELECT COUNT(*) FROM executions_visibility WHERE namespace_id = $1 AND ({query.Where})";
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    public async Task<IReadOnlyList<(int Status, long Count)>> CountByStatusAsync(string namespaceId, VisibilityQuery filter, CancellationToken ct)
    {
        await FlushAsync(ct);
        var query = SqlCompiler.Compile(filter, SqlDialect.Postgres, Placeholder);
        await using var cmd = Query(namespaceId, query);
        cmd.CommandText = $"SELECT status, COUNT(*) FROM executions_visibility WHERE namespace_id = $1 AND ({query.Where}) GROUP BY status ORDER BY status";
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<(int, long)>();
        while (await r.ReadAsync(ct))
        {
            list.Add((r.GetInt32(0), r.GetInt64(1)));
        }
        return list;
    }

    public async Task<IReadOnlyList<(string WorkflowId, string RunId)>> ListClosedBeforeAsync(string namespaceId, DateTimeOffset closedBefore, int limit, CancellationToken ct)
    {
        await FlushAsync(ct);
        await using var cmd = _visibility.CreateCommand("""
            SELECT workflow_id, run_id FROM executions_visibility
            WHERE namespace_id = $1 AND close_time IS NOT NULL AND close_time < $2 ORDER BY close_time LIMIT $3
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = namespaceId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = closedBefore.ToUniversalTime() });
        cmd.Parameters.Add(new NpgsqlParameter { Value = limit });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<(string, string)>();
        while (await r.ReadAsync(ct))
        {
            list.Add((r.GetString(0), r.GetString(1)));
        }
        return list;
    }

    private NpgsqlCommand Query(string namespaceId, CompiledQuery query)
    {
        var cmd = _visibility.CreateCommand();
        cmd.Parameters.Add(new NpgsqlParameter { Value = namespaceId });
        foreach (var value in query.Parameters)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        }
        return cmd;
    }

    private static VisibilityRecord Read(NpgsqlDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt32(4),
        r.GetFieldValue<DateTimeOffset>(5), r.GetFieldValue<DateTimeOffset>(6),
        r.IsDBNull(7) ? null : r.GetFieldValue<DateTimeOffset>(7), r.GetString(8),
        r.GetInt64(9), r.GetInt64(10), r.IsDBNull(11) ? null : r.GetInt64(11), r.GetInt64(12),
        r.IsDBNull(13) ? null : r.GetString(13), r.IsDBNull(14) ? null : r.GetString(14), r.GetString(15), r.GetString(16),
        r.IsDBNull(17) ? null : (byte[])r[17], r.IsDBNull(18) ? null : r.GetString(18), r.GetInt64(19));

    private static void InterlockedMax(ref long target, long value)
    {
        var current = Interlocked.Read(ref target);
        while (current < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
            current = Interlocked.Read(ref target);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }
        _stop.Dispose();
    }
}
