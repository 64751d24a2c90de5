using Google.Protobuf;
using Npgsql;
using Tempora.Core.Errors;
using Temporalio.Api.Namespace.V1;

namespace Tempora.Persistence.Postgres;

/// <param name="db">The main database.</param>
/// <param name="visibility">The visibility database, purged with the rest when a namespace is deleted.</param>
internal sealed class PostgresNamespaceStore(NpgsqlDataSource db, NpgsqlDataSource visibility) : INamespaceStore
{
    private const string InsertSql = """
        INSERT INTO namespaces (id, name, info, config, custom_search_attributes, delete_time) VALUES (@id, @name, @info, @config, @sa, @dt)
        """;
    private const string UpdateSql = """
        UPDATE namespaces SET name = @name, info = @info, config = @config, custom_search_attributes = @sa, delete_time = @dt WHERE id = @id
        """;
    private const string SelectSql = "SELECT id, name, info, config, custom_search_attributes, delete_time FROM namespaces";
    private const string DeleteSql = "DELETE FROM namespaces WHERE id = @id";

    /// <summary>Every table of the main database with rows of a namespace, besides the namespaces table itself; the
    /// visibility outbox before the visibility rows it would write.</summary>
    internal static readonly IReadOnlyList<string> NamespaceTables =
    [
        "timer_tasks", "transfer_tasks", "tasks", "schedules", "batch_items", "batches", "current_executions", "executions", "history_node",
        "visibility_tasks", "visibility_tasks_dlq", "worker_deployment_task_queues", "worker_deployment_versions", "worker_deployments",
    ];

    /// <summary>The tables of the visibility database with rows of a namespace.</summary>
    internal static readonly IReadOnlyList<string> VisibilityTables = ["executions_visibility"];

    public async Task CreateAsync(NamespaceRecord ns, CancellationToken ct)
    {
        await using var cmd = Command(InsertSql, ns);
        try
        {
            await cmd.ExecuteNonQueryAsync(ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new NamespaceAlreadyExistsException(ns.Name);
        }
    }

    public async Task UpdateAsync(NamespaceRecord ns, CancellationToken ct)
    {
        await using var cmd = Command(UpdateSql, ns);
        try
        {
            await cmd.ExecuteNonQueryAsync(ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new NamespaceAlreadyExistsException(ns.Name);
        }
    }

    public async Task<NamespaceRecord?> GetByNameAsync(string name, CancellationToken ct) =>
        (await QueryAsync(SelectSql + " WHERE name = @p", name, ct)).FirstOrDefault();

    public async Task<NamespaceRecord?> GetByIdAsync(string id, CancellationToken ct) =>
        (await QueryAsync(SelectSql + " WHERE id = @p", id, ct)).FirstOrDefault();

    public Task<IReadOnlyList<NamespaceRecord>> ListAsync(CancellationToken ct) => QueryAsync(SelectSql + " ORDER BY name", null, ct);

    public async Task<long> PurgeAsync(string namespaceId, int batchSize, CancellationToken ct)
    {
        long deleted = 0;
        foreach (var table in NamespaceTables)
        {
            deleted += await PurgeTableAsync(db, table, namespaceId, batchSize, ct);
        }
        foreach (var table in VisibilityTables)
        {
            deleted += await PurgeTableAsync(visibility, table, namespaceId, batchSize, ct);
        }
        return deleted;
    }

    /// <summary>Deletes the namespace's rows of one table a batch at a time, each batch one statement (one implicit
    /// transaction), so that no lock is held on a huge set of rows.</summary>
    private static async Task<long> PurgeTableAsync(NpgsqlDataSource source, string table, string namespaceId, int batchSize,
        CancellationToken ct)
    {
        long deleted = 0;
        int count;
        do
        {
            await using var cmd = source.CreateCommand(
                $"DELETE FROM {table} WHERE ctid = ANY(ARRAY(SELECT ctid FROM {table} WHERE namespace_id = @ns LIMIT @n))");
            cmd.Parameters.AddWithValue("ns", namespaceId);
            cmd.Parameters.AddWithValue("n", batchSize);
            count = await cmd.ExecuteNonQueryAsync(ct);
            deleted += count;
        }
        while (count >= batchSize);
        return deleted;
    }

    public async Task DeleteAsync(string namespaceId, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(DeleteSql);
        cmd.Parameters.AddWithValue("id", namespaceId);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private async Task<IReadOnlyList<NamespaceRecord>> QueryAsync(string sql, string? parameter, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(sql);
        if (parameter is not null)
        {
            cmd.Parameters.AddWithValue("p", parameter);
        }
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var list = new List<NamespaceRecord>();
        while (await reader.ReadAsync(ct))
        {
            list.Add(new NamespaceRecord(reader.GetString(0), reader.GetString(1),
                NamespaceInfo.Parser.ParseFrom((byte[])reader[2]), NamespaceConfig.Parser.ParseFrom((byte[])reader[3]))
            {
                CustomSearchAttributes = CustomSearchAttributesJson.Parse(reader.GetString(4)),
                DeleteTime = reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5),
            });
        }
        return list;
    }

    private NpgsqlCommand Command(string sql, NamespaceRecord ns)
    {
        var cmd = db.CreateCommand(sql);
        cmd.Parameters.AddWithValue("id", ns.Id);
        cmd.Parameters.AddWithValue("name", ns.Name);
        cmd.Parameters.AddWithValue("info", ns.Info.ToByteArray());
        cmd.Parameters.AddWithValue("config", ns.Config.ToByteArray());
        cmd.Parameters.AddWithValue("sa", CustomSearchAttributesJson.Format(ns.CustomSearchAttributes));
        cmd.Parameters.Add(new NpgsqlParameter("dt", NpgsqlTypes.NpgsqlDbType.TimestampTz)
        {
            Value = (object?)ns.DeleteTime?.ToUniversalTime() ?? DBNull.Value,
        });
        return cmd;
    }
}
