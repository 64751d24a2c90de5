using Npgsql;
using NpgsqlTypes;
using Tempora.Persistence.Schedules;

namespace Tempora.Persistence.Postgres;

/// <summary>
/// Schedules on PostgreSQL. A write is a batch of statements run as one implicit transaction, alone or inside the
/// batch of the workflow start it causes: its condition raises an error in SQL (tempora_require) when it does not hold,
/// which rolls the batch back. Its visibility row goes through the visibility outbox, like a run's: enqueued in the
/// same transaction, applied to the visibility database after the commit; a delete enqueues the deletion of the row
/// the schedule's writes wrote (its run id is kept in the schedule's row).
/// </summary>
internal sealed class PostgresScheduleStore(NpgsqlDataSource db, PostgresVisibilityStore visibility) : IScheduleStore
{
    /// <summary>The message of tempora_require when a schedule's condition fails; a transition's batch may carry the
    /// schedule writes of several runs (a successor's), so the run's depth in the chain follows the colon.</summary>
    internal const string ConditionPrefix = "schedule:";

    // Each statement ends with the check of its own row count, so that a lost race rolls the whole batch back.
    private const string InsertSql = """
        WITH inserted AS (
            INSERT INTO schedules (namespace_id, schedule_id, shard_id, version, next_wake_time, visibility_run_id, state)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT (namespace_id, schedule_id) DO NOTHING
            RETURNING 1)
        SELECT tempora_require((SELECT count(*) FROM inserted) = 1, $8)
        """;
    // A write without a visibility row keeps the run id of the last one.
    private const string UpdateSql = """
        WITH updated AS (
            UPDATE schedules SET shard_id = $3, version = $4, next_wake_time = $5, visibility_run_id = COALESCE($6, visibility_run_id), state = $7
            WHERE namespace_id = $1 AND schedule_id = $2 AND version = $9
            RETURNING 1)
        SELECT tempora_require((SELECT count(*) FROM updated) = 1, $8)
        """;
    // The deletion of the visibility row is enqueued as the outbox knows it (data NULL, the highest version).
    private const string DeleteSql = """
        WITH deleted AS (
            DELETE FROM schedules WHERE namespace_id = $1 AND schedule_id = $2 AND version = $3
            RETURNING namespace_id, visibility_run_id),
        enqueued AS (
            INSERT INTO visibility_tasks (namespace_id, run_id, version, data)
            SELECT namespace_id, visibility_run_id, 9223372036854775807, NULL FROM deleted WHERE visibility_run_id IS NOT NULL
            RETURNING 1)
        SELECT tempora_require((SELECT count(*) FROM deleted) = 1, $4)
        """;
    private const string Columns = "namespace_id, schedule_id, shard_id, version, next_wake_time, state";
    private const string SelectOneSql = $"SELECT {Columns} FROM schedules WHERE namespace_id = $1 AND schedule_id = $2";
    // Every row, or those of a shard set ($1, an int[]) through the shard_id index; in ordinal key order, as on SQLite.
    private const string SelectAllSql = $"SELECT {Columns} FROM schedules ORDER BY namespace_id COLLATE \"C\", schedule_id COLLATE \"C\"";
    private const string SelectShardsSql =
        $"SELECT {Columns} FROM schedules WHERE shard_id = ANY($1) ORDER BY namespace_id COLLATE \"C\", schedule_id COLLATE \"C\"";

    /// <summary>SQLSTATE of tempora_require.</summary>
    private const string ConditionFailedState = "TP001";

    public async Task WriteAsync(ScheduleWrite write, CancellationToken ct)
    {
        await using var batch = db.CreateBatch();
        Add(batch, write, depth: 0);
        try
        {
            await batch.ExecuteNonQueryAsync(ct); // one implicit transaction
        }
        catch (PostgresException e) when (e.SqlState == ConditionFailedState)
        {
            throw new ScheduleConditionFailedException(write.NamespaceId, write.ScheduleId, write.ExpectedVersion);
        }
        if (EnqueuesVisibility(write))
        {
            visibility.Enqueued();
        }
    }

    /// <summary>Whether the write may have enqueued a visibility row (a delete does when the schedule had one).</summary>
    internal static bool EnqueuesVisibility(ScheduleWrite write) => write.IsDelete || write.Visibility is not null;

    /// <summary>Adds the statements of <paramref name="write"/> to a batch; <paramref name="depth"/> is the position in
    /// the successor chain of the transition that carries it (0 when written alone), named by its condition's error.</summary>
    internal static void Add(NpgsqlBatch batch, ScheduleWrite write, int depth)
    {
        write.ThrowIfInconsistent();
        var condition = ConditionPrefix + depth.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (write.Record is not { } record)
        {
            var delete = new NpgsqlBatchCommand(DeleteSql);
            delete.Parameters.Add(new NpgsqlParameter { Value = write.NamespaceId });
            delete.Parameters.Add(new NpgsqlParameter { Value = write.ScheduleId });
            delete.Parameters.Add(new NpgsqlParameter { Value = write.ExpectedVersion });
            delete.Parameters.Add(new NpgsqlParameter { Value = condition });
            batch.BatchCommands.Add(delete);
            return;
        }
        var command = new NpgsqlBatchCommand(write.IsCreate ? InsertSql : UpdateSql);
        var p = command.Parameters;
        p.Add(new NpgsqlParameter { Value = write.NamespaceId });
        p.Add(new NpgsqlParameter { Value = write.ScheduleId });
        p.Add(new NpgsqlParameter { Value = record.ShardId });
        p.Add(new NpgsqlParameter { Value = record.Version });
        // Typed: PostgreSQL cannot infer a type for an untyped NULL parameter.
        p.Add(new NpgsqlParameter { Value = (object?)record.NextWakeTime?.ToUniversalTime() ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        p.Add(new NpgsqlParameter { Value = (object?)write.Visibility?.RunId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        p.Add(new NpgsqlParameter { Value = record.State });
        p.Add(new NpgsqlParameter { Value = condition });
        if (!write.IsCreate)
        {
            p.Add(new NpgsqlParameter { Value = write.ExpectedVersion });
        }
        batch.BatchCommands.Add(command);
        if (write.Visibility is { } row)
        {
            batch.BatchCommands.Add(PostgresVisibilityStore.Enqueue(row));
        }
    }

    /// <summary>The depth in the successor chain named by a schedule condition's error message; null for other messages.</summary>
    internal static int? FailedDepth(string message) =>
        message.StartsWith(ConditionPrefix, StringComparison.Ordinal)
        && int.TryParse(message.AsSpan(ConditionPrefix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var depth)
            ? depth
            : null;

    public async Task<ScheduleRecord?> GetAsync(string namespaceId, string scheduleId, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(SelectOneSql);
        cmd.Parameters.Add(new NpgsqlParameter { Value = namespaceId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = scheduleId });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? Read(r) : null;
    }

    public async Task<IReadOnlyList<ScheduleRecord>> LoadAsync(ShardSet shards, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(shards.IsAll ? SelectAllSql : SelectShardsSql);
        if (shards.Ids is { } ids)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = ids.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer });
        }
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<ScheduleRecord>();
        while (await r.ReadAsync(ct))
        {
            list.Add(Read(r));
        }
        return list;
    }

    private static ScheduleRecord Read(NpgsqlDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetInt32(2), r.GetInt64(3),
        r.IsDBNull(4) ? null : r.GetFieldValue<DateTimeOffset>(4), (byte[])r[5]);
}
