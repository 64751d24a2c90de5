using System.Globalization;
using Microsoft.Data.Sqlite;
using Tempora.Persistence.Batches;

namespace Tempora.Persistence.Sqlite;

/// <summary>
/// Batch operations on SQLite. A write is a few statements in a transaction of the group commit (its own savepoint);
/// its condition is checked by the row count of the batch row's statement.
/// </summary>
internal sealed class SqliteBatchStore(SqliteDatabase db) : IBatchStore
{
    private const string Columns = "namespace_id, job_id, shard_id, version, state, start_time, expire_time, data";
    private const string InsertSql = """
        INSERT INTO batches (namespace_id, job_id, shard_id, version, state, start_time, expire_time, data)
        VALUES ($ns, $job, $shard, $version, $state, $start, $expire, $data)
        ON CONFLICT (namespace_id, job_id) DO NOTHING
        """;
    private const string UpdateSql = """
        UPDATE batches SET shard_id = $shard, version = $version, state = $state, start_time = $start, expire_time = $expire, data = $data
        WHERE namespace_id = $ns AND job_id = $job AND version = $expected
        """;
    private const string UpsertItemSql = """
        INSERT INTO batch_items (namespace_id, job_id, seq, workflow_id, run_id, outcome, message)
        VALUES ($ns, $job, $seq, $wf, $run, $outcome, $message)
        ON CONFLICT (namespace_id, job_id, seq) DO UPDATE SET workflow_id = excluded.workflow_id, run_id = excluded.run_id,
            outcome = excluded.outcome, message = excluded.message
        """;
    private const string SelectOneSql = $"SELECT {Columns} FROM batches WHERE namespace_id = $ns AND job_id = $job";
    private const string ListSql = $"""
        SELECT {Columns} FROM batches WHERE namespace_id = $ns
        ORDER BY start_time DESC, job_id LIMIT $limit
        """;
    private const string ListAfterSql = $"""
        SELECT {Columns} FROM batches WHERE namespace_id = $ns AND (start_time < $start OR (start_time = $start AND job_id > $job))
        ORDER BY start_time DESC, job_id LIMIT $limit
        """;
    private const string CountRunningSql = "SELECT count(*) FROM batches WHERE namespace_id = $ns AND state = 1";
    private const string ItemsSql = """
        SELECT seq, workflow_id, run_id, outcome, message FROM batch_items
        WHERE namespace_id = $ns AND job_id = $job AND seq >= $from ORDER BY seq LIMIT $limit
        """;
    // {0}: empty for every shard, or an AND on shard_id (the ids are integers, written as literals).
    private const string LoadRunningSql = $"SELECT {Columns} FROM batches WHERE state = 1{{0}} ORDER BY start_time, job_id";
    private const string ExpiredSql = "SELECT namespace_id, job_id FROM batches WHERE expire_time < $now{0}";
    private const string DeleteSql = "DELETE FROM batches WHERE namespace_id = $ns AND job_id = $job";
    private const string DeleteItemsSql = "DELETE FROM batch_items WHERE namespace_id = $ns AND job_id = $job";

    public Task WriteAsync(BatchWrite write, CancellationToken ct)
    {
        write.ThrowIfInconsistent();
        return db.InTransactionAsync((conn, tx) =>
        {
            var record = write.Record;
            var cmd = db.Statement(write.IsCreate ? InsertSql : UpdateSql, tx);
            var p = cmd.Parameters;
            p.AddWithValue("$ns", record.NamespaceId);
            p.AddWithValue("$job", record.JobId);
            p.AddWithValue("$shard", record.ShardId);
            p.AddWithValue("$version", record.Version);
            p.AddWithValue("$state", record.State);
            p.AddWithValue("$start", record.StartTime.ToUnixTimeMilliseconds());
            p.AddWithValue("$expire", record.ExpireTime is { } expire ? expire.ToUnixTimeMilliseconds() : DBNull.Value);
            p.AddWithValue("$data", record.Data);
            if (!write.IsCreate)
            {
                p.AddWithValue("$expected", write.ExpectedVersion);
            }
            if (cmd.ExecuteNonQuery() != 1)
            {
                throw new BatchConditionFailedException(record.NamespaceId, record.JobId, write.ExpectedVersion);
            }
            foreach (var item in write.Items)
            {
                var insert = db.Statement(UpsertItemSql, tx);
                var ip = insert.Parameters;
                ip.AddWithValue("$ns", record.NamespaceId);
                ip.AddWithValue("$job", record.JobId);
                ip.AddWithValue("$seq", item.Seq);
                ip.AddWithValue("$wf", item.WorkflowId);
                ip.AddWithValue("$run", item.RunId);
                ip.AddWithValue("$outcome", item.Outcome);
                ip.AddWithValue("$message", (object?)item.Message ?? DBNull.Value);
                insert.ExecuteNonQuery();
            }
            return 0;
        }, ct);
    }

    public Task<BatchRecord?> GetAsync(string namespaceId, string jobId, CancellationToken ct) => db.RunAsync(conn =>
    {
        var cmd = db.Statement(SelectOneSql, null);
        cmd.Parameters.AddWithValue("$ns", namespaceId);
        cmd.Parameters.AddWithValue("$job", jobId);
        using var r = cmd.ExecuteReader();
        return r.Read() ? Read(r) : null;
    }, ct);

    public Task<IReadOnlyList<BatchRecord>> ListAsync(string namespaceId, int limit, BatchListPosition? after, CancellationToken ct) =>
        db.RunAsync(conn =>
        {
            var cmd = db.Statement(after is null ? ListSql : ListAfterSql, null);
            cmd.Parameters.AddWithValue("$ns", namespaceId);
            cmd.Parameters.AddWithValue("$limit", limit);
            if (after is { } position)
            {
                cmd.Parameters.AddWithValue("$start", position.StartTime.ToUnixTimeMilliseconds());
                cmd.Parameters.AddWithValue("$job", position.JobId);
            }
            return ReadAll(cmd);
        }, ct);

    public Task<int> CountRunningAsync(string namespaceId, CancellationToken ct) => db.RunAsync(conn =>
    {
        var cmd = db.Statement(CountRunningSql, null);
        cmd.Parameters.AddWithValue("$ns", namespaceId);
        return Convert.ToInt32(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
    }, ct);

    public Task<IReadOnlyList<BatchRecord>> LoadRunningAsync(ShardSet shards, CancellationToken ct) => db.RunAsync(conn =>
    {
        using var cmd = conn.CreateCommand();
        cmd.CommandText = string.Format(CultureInfo.InvariantCulture, LoadRunningSql, ShardFilter(shards));
        return ReadAll(cmd);
    }, ct);

    public Task<IReadOnlyList<BatchItem>> GetItemsAsync(string namespaceId, string jobId, long fromSeq, int limit, CancellationToken ct) =>
        db.RunAsync(conn =>
        {
            var cmd = db.Statement(ItemsSql, null);
            cmd.Parameters.AddWithValue("$ns", namespaceId);
            cmd.Parameters.AddWithValue("$job", jobId);
            cmd.Parameters.AddWithValue("$from", fromSeq);
            cmd.Parameters.AddWithValue("$limit", limit);
            using var r = cmd.ExecuteReader();
            var items = new List<BatchItem>();
            while (r.Read())
            {
                items.Add(new BatchItem(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetInt32(3), r.IsDBNull(4) ? null : r.GetString(4)));
            }
            return (IReadOnlyList<BatchItem>)items;
        }, ct);

    public Task<int> DeleteExpiredAsync(ShardSet shards, DateTimeOffset now, CancellationToken ct) => db.InTransactionAsync((conn, tx) =>
    {
        var expired = new List<(string Namespace, string Job)>();
        using (var select = conn.CreateCommand())
        {
            select.Transaction = tx;
            select.CommandText = string.Format(CultureInfo.InvariantCulture, ExpiredSql, ShardFilter(shards));
            select.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            using var r = select.ExecuteReader();
            while (r.Read())
            {
                expired.Add((r.GetString(0), r.GetString(1)));
            }
        }
        foreach (var (ns, job) in expired)
        {
            foreach (var sql in new[] { DeleteItemsSql, DeleteSql })
            {
                var delete = db.Statement(sql, tx);
                delete.Parameters.AddWithValue("$ns", ns);
                delete.Parameters.AddWithValue("$job", job);
                delete.ExecuteNonQuery();
            }
        }
        return expired.Count;
    }, ct);

    private static string ShardFilter(ShardSet shards) => shards.Ids is { } ids
        ? $" AND shard_id IN ({string.Join(',', ids.Select(id => id.ToString(CultureInfo.InvariantCulture)))})"
        : "";

    private static IReadOnlyList<BatchRecord> ReadAll(SqliteCommand cmd)
    {
        using var r = cmd.ExecuteReader();
        var list = new List<BatchRecord>();
        while (r.Read())
        {
            list.Add(Read(r));
        }
        return list;
    }

    private static BatchRecord Read(SqliteDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetInt32(2), r.GetInt64(3), r.GetInt32(4), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(5)),
        r.IsDBNull(6) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(6)), (byte[])r[7]);
}
