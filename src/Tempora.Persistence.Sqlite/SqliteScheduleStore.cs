using System.Globalization;
using Microsoft.Data.Sqlite;
using Tempora.Persistence.Schedules;

namespace Tempora.Persistence.Sqlite;

/// <summary>
/// Schedules on SQLite. A write is a few statements in a transaction of the group commit (its own savepoint), alone or
/// inside the transition of the workflow start it causes; its condition is checked by the row counts of those
/// statements, and its visibility row is written or deleted in the same transaction.
/// </summary>
internal sealed class SqliteScheduleStore(SqliteDatabase db) : IScheduleStore
{
    private const string InsertSql = """
        INSERT INTO schedules (namespace_id, schedule_id, shard_id, version, next_wake_time, visibility_run_id, state)
        VALUES ($ns, $id, $shard, $version, $wake, $vis_run, $state)
        ON CONFLICT (namespace_id, schedule_id) DO NOTHING
        """;
    // A write without a visibility row keeps the run id of the last one.
    private const string UpdateSql = """
        UPDATE schedules SET shard_id = $shard, version = $version, next_wake_time = $wake,
            visibility_run_id = COALESCE($vis_run, visibility_run_id), state = $state
        WHERE namespace_id = $ns AND schedule_id = $id AND version = $expected
        """;
    private const string DeleteSql = """
        DELETE FROM schedules WHERE namespace_id = $ns AND schedule_id = $id AND version = $expected RETURNING visibility_run_id
        """;
    private const string SelectOneSql = """
        SELECT namespace_id, schedule_id, shard_id, version, next_wake_time, state FROM schedules WHERE namespace_id = $ns AND schedule_id = $id
        """;
    // {0} is empty for every shard, or a WHERE on shard_id (its index serves it).
    private const string SelectSql = "SELECT namespace_id, schedule_id, shard_id, version, next_wake_time, state FROM schedules{0} ORDER BY namespace_id, schedule_id";

    public Task WriteAsync(ScheduleWrite write, CancellationToken ct) => db.InTransactionAsync((conn, tx) =>
    {
        Apply(db, tx, write);
        return 0;
    }, ct);

    /// <summary>Adds <paramref name="write"/> to a transaction; throws <see cref="ScheduleConditionFailedException"/>
    /// when its condition does not hold (the caller's savepoint then undoes what was done).</summary>
    internal static void Apply(SqliteDatabase db, SqliteTransaction tx, ScheduleWrite write)
    {
        write.ThrowIfInconsistent();
        if (write.Record is not { } record)
        {
            Delete(db, tx, write);
            return;
        }
        var cmd = db.Statement(write.IsCreate ? InsertSql : UpdateSql, tx);
        var p = cmd.Parameters;
        p.AddWithValue("$ns", write.NamespaceId);
        p.AddWithValue("$id", write.ScheduleId);
        p.AddWithValue("$shard", record.ShardId);
        p.AddWithValue("$version", record.Version);
        p.AddWithValue("$wake", record.NextWakeTime is { } wake ? wake.ToUnixTimeMilliseconds() : DBNull.Value);
        p.AddWithValue("$vis_run", (object?)write.Visibility?.RunId ?? DBNull.Value);
        p.AddWithValue("$state", record.State);
        if (!write.IsCreate)
        {
            p.AddWithValue("$expected", write.ExpectedVersion);
        }
        if (cmd.ExecuteNonQuery() != 1)
        {
            throw new ScheduleConditionFailedException(write.NamespaceId, write.ScheduleId, write.ExpectedVersion);
        }
        if (write.Visibility is { } visibility)
        {
            SqliteVisibilityStore.Upsert(db, tx, visibility);
        }
    }

    private static void Delete(SqliteDatabase db, SqliteTransaction tx, ScheduleWrite write)
    {
        var cmd = db.Statement(DeleteSql, tx);
        cmd.Parameters.AddWithValue("$ns", write.NamespaceId);
        cmd.Parameters.AddWithValue("$id", write.ScheduleId);
        cmd.Parameters.AddWithValue("$expected", write.ExpectedVersion);
        string? visibilityRunId;
        using (var r = cmd.ExecuteReader())
        {
            if (!r.Read())
            {
                throw new ScheduleConditionFailedException(write.NamespaceId, write.ScheduleId, write.ExpectedVersion);
            }
            visibilityRunId = r.IsDBNull(0) ? null : r.GetString(0);
        }
        if (visibilityRunId is not null)
        {
            var delete = db.Statement(SqliteVisibilityStore.DeleteSql, tx);
            delete.Parameters.AddWithValue("$ns", write.NamespaceId);
            delete.Parameters.AddWithValue("$run", visibilityRunId);
            delete.ExecuteNonQuery();
        }
    }

    public Task<ScheduleRecord?> GetAsync(string namespaceId, string scheduleId, CancellationToken ct) => db.RunAsync(conn =>
    {
        var cmd = db.Statement(SelectOneSql, null);
        cmd.Parameters.AddWithValue("$ns", namespaceId);
        cmd.Parameters.AddWithValue("$id", scheduleId);
        using var r = cmd.ExecuteReader();
        return r.Read() ? Read(r) : null;
    }, ct);

    public Task<IReadOnlyList<ScheduleRecord>> LoadAsync(ShardSet shards, CancellationToken ct) => db.RunAsync(conn =>
    {
        using var cmd = conn.CreateCommand();
        // The ids are integers, written into the text as literals.
        cmd.CommandText = string.Format(CultureInfo.InvariantCulture, SelectSql, shards.Ids is { } ids
            ? $" WHERE shard_id IN ({string.Join(',', ids.Select(id => id.ToString(CultureInfo.InvariantCulture)))})"
            : "");
        using var r = cmd.ExecuteReader();
        var list = new List<ScheduleRecord>();
        while (r.Read())
        {
            list.Add(Read(r));
        }
        return (IReadOnlyList<ScheduleRecord>)list;
    }, ct);

    private static ScheduleRecord Read(SqliteDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetInt32(2), r.GetInt64(3),
        r.IsDBNull(4) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(4)), (byte[])r[5]);
}
