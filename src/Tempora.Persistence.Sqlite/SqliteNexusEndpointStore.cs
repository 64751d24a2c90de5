using Microsoft.Data.Sqlite;
using Tempora.Persistence.Nexus;

namespace Tempora.Persistence.Sqlite;

/// <summary>
/// The Nexus endpoint registry on SQLite. A write is one statement in a transaction of the group commit; an update or
/// delete carries its expected version in its WHERE clause, and only when it changed no row is the row read (in the
/// same transaction) to tell a version mismatch from a missing endpoint.
/// </summary>
internal sealed class SqliteNexusEndpointStore(SqliteDatabase db) : INexusEndpointStore
{
    private const string Columns = "id, version, name, target_namespace_id, target_task_queue, target_url, description, created_time, last_modified_time";
    private const string InsertSql = """
        INSERT INTO nexus_endpoints (id, version, name, target_namespace_id, target_task_queue, target_url, description, created_time, last_modified_time)
        VALUES ($id, $version, $name, $ns, $tq, $url, $description, $created, $modified)
        """;
    private const string UpdateSql = """
        UPDATE nexus_endpoints SET version = $version, name = $name, target_namespace_id = $ns, target_task_queue = $tq, target_url = $url,
            description = $description, last_modified_time = $modified
        WHERE id = $id AND version = $expected
        RETURNING created_time
        """;
    private const string DeleteSql = "DELETE FROM nexus_endpoints WHERE id = $id AND version = $expected";
    private const string VersionSql = "SELECT version FROM nexus_endpoints WHERE id = $id";
    private const string SelectByIdSql = $"SELECT {Columns} FROM nexus_endpoints WHERE id = $p";
    private const string SelectByNameSql = $"SELECT {Columns} FROM nexus_endpoints WHERE name = $p";
    private const string ListSql = $"SELECT {Columns} FROM nexus_endpoints ORDER BY id LIMIT $limit";
    private const string ListAfterSql = $"SELECT {Columns} FROM nexus_endpoints WHERE id > $after ORDER BY id LIMIT $limit";
    private const string TargetingSql = $"SELECT {Columns} FROM nexus_endpoints WHERE target_namespace_id = $p ORDER BY name LIMIT 1";

    public Task CreateAsync(NexusEndpointRecord endpoint, CancellationToken ct) => db.InTransactionAsync((conn, tx) =>
    {
        var cmd = db.Statement(InsertSql, tx);
        AddRow(cmd.Parameters, endpoint);
        cmd.Parameters.AddWithValue("$created", endpoint.CreatedTime.ToUnixTimeMilliseconds());
        try
        {
            return cmd.ExecuteNonQuery();
        }
        catch (SqliteException e) when (e.SqliteExtendedErrorCode == SqliteErrors.ConstraintUnique)
        {
            throw new NexusEndpointNameTakenException(endpoint.Name); // the name's index: the only unique one besides the key
        }
    }, ct);

    public Task<NexusEndpointRecord> UpdateAsync(NexusEndpointRecord endpoint, long expectedVersion, CancellationToken ct)
    {
        endpoint.ThrowUnlessNextAfter(expectedVersion);
        return db.InTransactionAsync((conn, tx) =>
        {
            var cmd = db.Statement(UpdateSql, tx);
            AddRow(cmd.Parameters, endpoint);
            cmd.Parameters.AddWithValue("$expected", expectedVersion);
            object? created;
            try
            {
                created = cmd.ExecuteScalar();
            }
            catch (SqliteException e) when (e.SqliteExtendedErrorCode == SqliteErrors.ConstraintUnique)
            {
                throw new NexusEndpointNameTakenException(endpoint.Name);
            }
            if (created is not long createdMs)
            {
                throw ConditionFailed(tx, endpoint.Id, expectedVersion);
            }
            return endpoint with { CreatedTime = DateTimeOffset.FromUnixTimeMilliseconds(createdMs) };
        }, ct);
    }

    public Task DeleteAsync(string id, long expectedVersion, CancellationToken ct) => db.InTransactionAsync((conn, tx) =>
    {
        var cmd = db.Statement(DeleteSql, tx);
        cmd.Parameters.AddWithValue("$id", id);
        cmd.Parameters.AddWithValue("$expected", expectedVersion);
        return cmd.ExecuteNonQuery() == 1 ? 1 : throw ConditionFailed(tx, id, expectedVersion);
    }, ct);

    public Task<NexusEndpointRecord?> GetAsync(string id, CancellationToken ct) => QueryOneAsync(SelectByIdSql, id, ct);

    public Task<NexusEndpointRecord?> GetByNameAsync(string name, CancellationToken ct) => QueryOneAsync(SelectByNameSql, name, ct);

    public Task<NexusEndpointRecord?> FindTargetingAsync(string namespaceId, CancellationToken ct) => QueryOneAsync(TargetingSql, namespaceId, ct);

    public Task<IReadOnlyList<NexusEndpointRecord>> ListAsync(string? afterId, int limit, CancellationToken ct) => db.RunAsync(conn =>
    {
        var cmd = db.Statement(afterId is null ? ListSql : ListAfterSql, null);
        cmd.Parameters.AddWithValue("$limit", limit);
        if (afterId is not null)
        {
            cmd.Parameters.AddWithValue("$after", afterId);
        }
        using var r = cmd.ExecuteReader();
        var list = new List<NexusEndpointRecord>();
        while (r.Read())
        {
            list.Add(Read(r));
        }
        return (IReadOnlyList<NexusEndpointRecord>)list;
    }, ct);

    /// <summary>The failure of a conditional write that changed no row: the row's current version, or none.</summary>
    private NexusEndpointConditionFailedException ConditionFailed(SqliteTransaction tx, string id, long expectedVersion)
    {
        var cmd = db.Statement(VersionSql, tx);
        cmd.Parameters.AddWithValue("$id", id);
        return new NexusEndpointConditionFailedException(id, expectedVersion, cmd.ExecuteScalar() is long current ? current : null);
    }

    private Task<NexusEndpointRecord?> QueryOneAsync(string sql, string parameter, CancellationToken ct) => db.RunAsync(conn =>
    {
        var cmd = db.Statement(sql, null);
        cmd.Parameters.AddWithValue("$p", parameter);
        using var r = cmd.ExecuteReader();
        return r.Read() ? Read(r) : null;
    }, ct);

    private static void AddRow(SqliteParameterCollection p, NexusEndpointRecord endpoint)
    {
        p.AddWithValue("$id", endpoint.Id);
        p.AddWithValue("$version", endpoint.Version);
        p.AddWithValue("$name", endpoint.Name);
        p.AddWithValue("$ns", (object?)endpoint.Target.NamespaceId ?? DBNull.Value);
        p.AddWithValue("$tq", (object?)endpoint.Target.TaskQueue ?? DBNull.Value);
        p.AddWithValue("$url", (object?)endpoint.Target.Url ?? DBNull.Value);
        p.AddWithValue("$description", (object?)endpoint.Description ?? DBNull.Value);
        p.AddWithValue("$modified", endpoint.LastModifiedTime is { } modified ? modified.ToUnixTimeMilliseconds() : DBNull.Value);
    }

    private static NexusEndpointRecord Read(SqliteDataReader r) => new(
        r.GetString(0), r.GetInt64(1), r.GetString(2),
        NexusEndpointTarget.FromColumns(r.IsDBNull(3) ? null : r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5)),
        r.IsDBNull(6) ? null : (byte[])r[6],
        DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(7)),
        r.IsDBNull(8) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(8)));
}
