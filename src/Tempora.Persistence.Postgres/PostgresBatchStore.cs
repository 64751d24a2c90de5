using Npgsql;
using NpgsqlTypes;
using Tempora.Persistence.Batches;

namespace Tempora.Persistence.Postgres;

/// <summary>
/// Batch operations on PostgreSQL. A write is a batch of statements run as one implicit transaction: the batch row's
/// condition raises an error in SQL (tempora_require) when it does not hold, which rolls the items back with it.
/// </summary>
internal sealed class PostgresBatchStore(NpgsqlDataSource db) : IBatchStore
{
    private const string Columns = "namespace_id, job_id, shard_id, version, state, start_time, expire_time, data";
    private const string InsertSql = """
        WITH inserted AS (
            INSERT INTO batches (namespace_id, job_id, shard_id, version, state, start_time, expire_time, data)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            ON CONFLICT (namespace_id, job_id) DO NOTHING
            RETURNING 1)
        SELECT tempora_require((SELECT count(*) FROM inserted) = 1, 'batch')
        """;
    private const string UpdateSql = """
        WITH updated AS (
            UPDATE batches SET shard_id = $3, version = $4, state = $5, start_time = $6, expire_time = $7, data = $8
            WHERE namespace_id = $1 AND job_id = $2 AND version = $9
            RETURNING 1)
        SELECT tempora_require((SELECT count(*) FROM updated) = 1, 'batch')
        """;
    private const string UpsertItemsSql = """
        INSERT INTO batch_items (namespace_id, job_id, seq, workflow_id, run_id, outcome, message)
        SELECT $1, $2, * FROM unnest($3::bigint[], $4::text[], $5::text[], $6::int[], $7::text[])
        ON CONFLICT (namespace_id, job_id, seq) DO UPDATE SET workflow_id = excluded.workflow_id, run_id = excluded.run_id,
            outcome = excluded.outcome, message = excluded.message
        """;
    private const string SelectOneSql = $"SELECT {Columns} FROM batches WHERE namespace_id = $1 AND job_id = $2";
    // Job ids in ordinal order, as on SQLite.
    private const string ListSql = $"""
        SELECT {Columns} FROM batches WHERE namespace_id = $1
        ORDER BY start_time DESC, job_id COLLATE "C" LIMIT $2
        """;
    private const string ListAfterSql = $"""
        SELECT {Columns} FROM batches WHERE namespace_id = $1
            AND (start_time < $3 OR (start_time = $3 AND job_id COLLATE "C" > $4 COLLATE "C"))
        ORDER BY start_time DESC, job_id COLLATE "C" LIMIT $2
        """;
    private const string CountRunningSql = "SELECT count(*) FROM batches WHERE namespace_id = $1 AND state = 1";
    private const string ItemsSql = """
        SELECT seq, workflow_id, run_id, outcome, message FROM batch_items
        WHERE namespace_id = $1 AND job_id = $2 AND seq >= $3 ORDER BY seq LIMIT $4
        """;
    private const string LoadAllRunningSql = $"SELECT {Columns} FROM batches WHERE state = 1 ORDER BY start_time, job_id COLLATE \"C\"";
    private const string LoadRunningSql = $"SELECT {Columns} FROM batches WHERE state = 1 AND shard_id = ANY($1) ORDER BY start_time, job_id COLLATE \"C\"";
    private const string DeleteExpiredSql = """
        WITH expired AS (
            DELETE FROM batches WHERE expire_time < $1 AND ($2::int[] IS NULL OR shard_id = ANY($2))
            RETURNING namespace_id, job_id),
        items AS (
            DELETE FROM batch_items i USING expired e WHERE i.namespace_id = e.namespace_id AND i.job_id = e.job_id)
        SELECT count(*) FROM expired
        """;

    /// <summary>SQLSTATE of tempora_require.</summary>
    private const string ConditionFailedState = "TP001";

    public async Task WriteAsync(BatchWrite write, CancellationToken ct)
    {
        write.ThrowIfInconsistent();
        var record = write.Record;
        await using var batch = db.CreateBatch();
        var command = new NpgsqlBatchCommand(write.IsCreate ? InsertSql : UpdateSql);
        var p = command.Parameters;
        p.Add(new NpgsqlParameter { Value = record.NamespaceId });
        p.Add(new NpgsqlParameter { Value = record.JobId });
        p.Add(new NpgsqlParameter { Value = record.ShardId });
        p.Add(new NpgsqlParameter { Value = record.Version });
        p.Add(new NpgsqlParameter { Value = record.State });
        p.Add(new NpgsqlParameter { Value = record.StartTime.ToUniversalTime() });
        // Typed: PostgreSQL cannot infer a type for an untyped NULL parameter.
        p.Add(new NpgsqlParameter { Value = (object?)record.ExpireTime?.ToUniversalTime() ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        p.Add(new NpgsqlParameter { Value = record.Data });
        if (!write.IsCreate)
        {
            p.Add(new NpgsqlParameter { Value = write.ExpectedVersion });
        }
        batch.BatchCommands.Add(command);
        if (write.Items.Count > 0)
        {
            var items = new NpgsqlBatchCommand(UpsertItemsSql);
            var ip = items.Parameters;
            ip.Add(new NpgsqlParameter { Value = record.NamespaceId });
            ip.Add(new NpgsqlParameter { Value = record.JobId });
            ip.Add(new NpgsqlParameter { Value = write.Items.Select(i => i.Seq).ToArray() });
            ip.Add(new NpgsqlParameter { Value = write.Items.Select(i => i.WorkflowId).ToArray() });
            ip.Add(new NpgsqlParameter { Value = write.Items.Select(i => i.RunId).ToArray() });
            ip.Add(new NpgsqlParameter { Value = write.Items.Select(i => i.Outcome).ToArray() });
            ip.Add(new NpgsqlParameter { Value = write.Items.Select(i => i.Message).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            batch.BatchCommands.Add(items);
        }
        try
        {
            await batch.ExecuteNonQueryAsync(ct); // one implicit transaction
        }
        catch (PostgresException e) when (e.SqlState == ConditionFailedState)
        {
            throw new BatchConditionFailedException(record.NamespaceId, record.JobId, write.ExpectedVersion);
        }
    }

    public async Task<BatchRecord?> GetAsync(string namespaceId, string jobId, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(SelectOneSql);
        cmd.Parameters.Add(new NpgsqlParameter { Value = namespaceId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = jobId });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? Read(r) : null;
    }

    public async Task<IReadOnlyList<BatchRecord>> ListAsync(string namespaceId, int limit, BatchListPosition? after, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(after is null ? ListSql : ListAfterSql);
        cmd.Parameters.Add(new NpgsqlParameter { Value = namespaceId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = limit });
        if (after is { } position)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = position.StartTime.ToUniversalTime() });
            cmd.Parameters.Add(new NpgsqlParameter { Value = position.JobId });
        }
        return await ReadAllAsync(cmd, ct);
    }

    public async Task<int> CountRunningAsync(string namespaceId, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(CountRunningSql);
        cmd.Parameters.Add(new NpgsqlParameter { Value = namespaceId });
        return Convert.ToInt32(await cmd.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<IReadOnlyList<BatchRecord>> LoadRunningAsync(ShardSet shards, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(shards.IsAll ? LoadAllRunningSql : LoadRunningSql);
        if (shards.Ids is { } ids)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = ids.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer });
        }
        return await ReadAllAsync(cmd, ct);
    }

    public async Task<IReadOnlyList<BatchItem>> GetItemsAsync(string namespaceId, string jobId, long fromSeq, int limit, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(ItemsSql);
        cmd.Parameters.Add(new NpgsqlParameter { Value = namespaceId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = jobId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = fromSeq });
        cmd.Parameters.Add(new NpgsqlParameter { Value = limit });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var items = new List<BatchItem>();
        while (await r.ReadAsync(ct))
        {
            items.Add(new BatchItem(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetInt32(3), r.IsDBNull(4) ? null : r.GetString(4)));
        }
        return items;
    }

    public async Task<int> DeleteExpiredAsync(ShardSet shards, DateTimeOffset now, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(DeleteExpiredSql);
        cmd.Parameters.Add(new NpgsqlParameter { Value = now.ToUniversalTime() });
        cmd.Parameters.Add(new NpgsqlParameter
        {
            Value = (object?)shards.Ids?.ToArray() ?? DBNull.Value,
            NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer,
        });
        return Convert.ToInt32(await cmd.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<IReadOnlyList<BatchRecord>> ReadAllAsync(NpgsqlCommand cmd, CancellationToken ct)
    {
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<BatchRecord>();
        while (await r.ReadAsync(ct))
        {
            list.Add(Read(r));
        }
        return list;
    }

    private static BatchRecord Read(NpgsqlDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetInt32(2), r.GetInt64(3), r.GetInt32(4), r.GetFieldValue<DateTimeOffset>(5),
        r.IsDBNull(6) ? null : r.GetFieldValue<DateTimeOffset>(6), (byte[])r[7]);
}
