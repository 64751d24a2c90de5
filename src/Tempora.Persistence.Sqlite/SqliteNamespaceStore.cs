using Google.Protobuf;
using Microsoft.Data.Sqlite;
using Tempora.Core.Errors;
using Temporalio.Api.Namespace.V1;

namespace Tempora.Persistence.Sqlite;

internal sealed class SqliteNamespaceStore(SqliteDatabase db) : INamespaceStore
{
    private const string InsertSql = """
        INSERT INTO namespaces (id, name, info, config, custom_search_attributes, delete_time) VALUES ($id, $name, $info, $config, $sa, $dt)
        """;
    private const string UpdateSql = """
        UPDATE namespaces SET name = $name, info = $info, config = $config, custom_search_attributes = $sa, delete_time = $dt WHERE id = $id
        """;
    private const string SelectSql = "SELECT id, name, info, config, custom_search_attributes, delete_time FROM namespaces";
    private const string DeleteSql = "DELETE FROM namespaces WHERE id = $id";

    /// <summary>Every table with rows of a namespace, besides the namespaces table itself.</summary>
    internal static readonly IReadOnlyList<string> NamespaceTables =
    [
        "timer_tasks", "transfer_tasks", "tasks", "schedules", "batch_items", "batches", "current_executions", "executions", "history_node",
        "executions_visibility", "worker_deployment_task_queues", "worker_deployment_versions", "worker_deployments",
    ];

    public Task CreateAsync(NamespaceRecord ns, CancellationToken ct) => db.InTransactionAsync((conn, tx) =>
    {
        using var cmd = Command(conn, tx, InsertSql, ns);
        try
        {
            return cmd.ExecuteNonQuery();
        }
        catch (SqliteException e) when (e.SqliteExtendedErrorCode is SqliteErrors.ConstraintPrimaryKey or SqliteErrors.ConstraintUnique)
        {
            throw new NamespaceAlreadyExistsException(ns.Name);
        }
    }, ct);

    public Task UpdateAsync(NamespaceRecord ns, CancellationToken ct) => db.InTransactionAsync((conn, tx) =>
    {
        using var cmd = Command(conn, tx, UpdateSql, ns);
        try
        {
            return cmd.ExecuteNonQuery();
        }
        catch (SqliteException e) when (e.SqliteExtendedErrorCode is SqliteErrors.ConstraintUnique)
        {
            throw new NamespaceAlreadyExistsException(ns.Name);
        }
    }, ct);

    public async Task<NamespaceRecord?> GetByNameAsync(string name, CancellationToken ct) =>
        (await QueryAsync(SelectSql + " WHERE name = $p", name, ct)).FirstOrDefault();

    public async Task<NamespaceRecord?> GetByIdAsync(string id, CancellationToken ct) =>
        (await QueryAsync(SelectSql + " WHERE id = $p", id, ct)).FirstOrDefault();

    public Task<IReadOnlyList<NamespaceRecord>> ListAsync(CancellationToken ct) => QueryAsync(SelectSql + " ORDER BY name", null, ct);

    public async Task<long> PurgeAsync(string namespaceId, int batchSize, CancellationToken ct)
    {
        long deleted = 0;
        foreach (var table in NamespaceTables)
        {
            // One batch a transaction: the single writer is held for a short while at a time, and other transitions
            // (of other namespaces) commit in between.
            var sql = $"DELETE FROM {table} WHERE rowid IN (SELECT rowid FROM {table} WHERE namespace_id = $ns LIMIT $n)";
            int count;
            do
            {
                count = await db.InTransactionAsync((conn, tx) =>
                {
                    using var cmd = conn.CreateCommand();
                    cmd.Transaction = tx;
                    cmd.CommandText = sql;
                    cmd.Parameters.AddWithValue("$ns", namespaceId);
                    cmd.Parameters.AddWithValue("$n", batchSize);
                    return cmd.ExecuteNonQuery();
                }, ct);
                deleted += count;
            }
            while (count >= batchSize);
        }
        return deleted;
    }

    public Task DeleteAsync(string namespaceId, CancellationToken ct) => db.InTransactionAsync((conn, tx) =>
    {
        using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = DeleteSql;
        cmd.Parameters.AddWithValue("$id", namespaceId);
        return cmd.ExecuteNonQuery();
    }, ct);

    private Task<IReadOnlyList<NamespaceRecord>> QueryAsync(string sql, string? parameter, CancellationToken ct) => db.RunAsync(conn =>
    {
        using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        if (parameter is not null)
        {
            cmd.Parameters.AddWithValue("$p", parameter);
        }
        using var reader = cmd.ExecuteReader();
        var list = new List<NamespaceRecord>();
        while (reader.Read())
        {
            list.Add(new NamespaceRecord(reader.GetString(0), reader.GetString(1),
                NamespaceInfo.Parser.ParseFrom((byte[])reader[2]), NamespaceConfig.Parser.ParseFrom((byte[])reader[3]))
            {
                CustomSearchAttributes = CustomSearchAttributesJson.Parse(reader.GetString(4)),
                DeleteTime = reader.IsDBNull(5) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
            });
        }
        return (IReadOnlyList<NamespaceRecord>)list;
    }, ct);

    private static SqliteCommand Command(SqliteConnection conn, SqliteTransaction tx, string sql, NamespaceRecord ns)
    {
        var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.Parameters.AddWithValue("$id", ns.Id);
        cmd.Parameters.AddWithValue("$name", ns.Name);
        cmd.Parameters.AddWithValue("$info", ns.Info.ToByteArray());
        cmd.Parameters.AddWithValue("$config", ns.Config.ToByteArray());
        cmd.Parameters.AddWithValue("$sa", CustomSearchAttributesJson.Format(ns.CustomSearchAttributes));
        cmd.Parameters.AddWithValue("$dt", ns.DeleteTime is { } t ? t.ToUnixTimeMilliseconds() : DBNull.Value);
        return cmd;
    }
}
