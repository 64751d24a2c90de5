using Npgsql;
using NpgsqlTypes;
using Tempora.Persistence.Nexus;

namespace Tempora.Persistence.Postgres;

/// <summary>
/// The Nexus endpoint registry on PostgreSQL. An update or delete is one statement carrying its expected version in its
/// WHERE clause, so the database decides a race (the loser's statement waits for the winner's row lock, then finds
/// another version and changes nothing). Only when it changed nothing is the row's version read, to tell a version
/// mismatch from a missing endpoint for the error. Ids compare as bytes (COLLATE "C"), as on SQLite.
/// </summary>
internal sealed class PostgresNexusEndpointStore(NpgsqlDataSource db) : INexusEndpointStore
{
    private const string Columns = "id, version, name, target_namespace_id, target_task_queue, target_url, description, created_time, last_modified_time";
    private const string InsertSql = """
        INSERT INTO nexus_endpoints (id, version, name, target_namespace_id, target_task_queue, target_url, description, last_modified_time, created_time)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
        """;
    private const string UpdateSql = """
        UPDATE nexus_endpoints SET version = $2, name = $3, target_namespace_id = $4, target_task_queue = $5, target_url = $6,
            description = $7, last_modified_time = $8
        WHERE id = $1 AND version = $9
        RETURNING created_time
        """;
    private const string DeleteSql = "DELETE FROM nexus_endpoints WHERE id = $1 AND version = $2";
    private const string VersionSql = "SELECT version FROM nexus_endpoints WHERE id = $1";
    private const string SelectByIdSql = $"SELECT {Columns} FROM nexus_endpoints WHERE id = $1";
    private const string SelectByNameSql = $"SELECT {Columns} FROM nexus_endpoints WHERE name = $1";
    private const string ListSql = $"SELECT {Columns} FROM nexus_endpoints ORDER BY id COLLATE \"C\" LIMIT $1";
    private const string ListAfterSql = $"SELECT {Columns} FROM nexus_endpoints WHERE id COLLATE \"C\" > $2 COLLATE \"C\" ORDER BY id COLLATE \"C\" LIMIT $1";
    private const string TargetingSql = $"SELECT {Columns} FROM nexus_endpoints WHERE target_namespace_id = $1 ORDER BY name COLLATE \"C\" LIMIT 1";

    /// <summary>The unique index on the name (migration 12).</summary>
    private const string NameIndex = "nexus_endpoints_by_name";

    public async Task CreateAsync(NexusEndpointRecord endpoint, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(InsertSql);
        AddRow(cmd.Parameters, endpoint);
        cmd.Parameters.Add(new NpgsqlParameter { Value = endpoint.CreatedTime.ToUniversalTime() });
        try
        {
            await cmd.ExecuteNonQueryAsync(ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == NameIndex)
        {
            throw new NexusEndpointNameTakenException(endpoint.Name);
        }
    }

    public async Task<NexusEndpointRecord> UpdateAsync(NexusEndpointRecord endpoint, long expectedVersion, CancellationToken ct)
    {
        endpoint.ThrowUnlessNextAfter(expectedVersion);
        await using var cmd = db.CreateCommand(UpdateSql);
        AddRow(cmd.Parameters, endpoint);
        cmd.Parameters.Add(new NpgsqlParameter { Value = expectedVersion });
        object? created;
        try
        {
            created = await cmd.ExecuteScalarAsync(ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == NameIndex)
        {
            throw new NexusEndpointNameTakenException(endpoint.Name);
        }
        return created is DateTime createdUtc
            ? endpoint with { CreatedTime = new DateTimeOffset(createdUtc, TimeSpan.Zero) }
            : throw await ConditionFailedAsync(endpoint.Id, expectedVersion, ct);
    }

    public async Task DeleteAsync(string id, long expectedVersion, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(DeleteSql);
        cmd.Parameters.Add(new NpgsqlParameter { Value = id });
        cmd.Parameters.Add(new NpgsqlParameter { Value = expectedVersion });
        if (await cmd.ExecuteNonQueryAsync(ct) != 1)
        {
            throw await ConditionFailedAsync(id, expectedVersion, ct);
        }
    }

    /// <summary>The failure of a conditional write that changed no row: the row's current version, or none.</summary>
    private async Task<NexusEndpointConditionFailedException> ConditionFailedAsync(string id, long expectedVersion, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(VersionSql);
        cmd.Parameters.Add(new NpgsqlParameter { Value = id });
        return new NexusEndpointConditionFailedException(id, expectedVersion, await cmd.ExecuteScalarAsync(ct) is long current ? current : null);
    }

    public Task<NexusEndpointRecord?> GetAsync(string id, CancellationToken ct) => QueryOneAsync(SelectByIdSql, id, ct);

    public Task<NexusEndpointRecord?> GetByNameAsync(string name, CancellationToken ct) => QueryOneAsync(SelectByNameSql, name, ct);

    public Task<NexusEndpointRecord?> FindTargetingAsync(string namespaceId, CancellationToken ct) => QueryOneAsync(TargetingSql, namespaceId, ct);

    public async Task<IReadOnlyList<NexusEndpointRecord>> ListAsync(string? afterId, int limit, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(afterId is null ? ListSql : ListAfterSql);
        cmd.Parameters.Add(new NpgsqlParameter { Value = limit });
        if (afterId is not null)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = afterId });
        }
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<NexusEndpointRecord>();
        while (await r.ReadAsync(ct))
        {
            list.Add(Read(r));
        }
        return list;
    }

    private async Task<NexusEndpointRecord?> QueryOneAsync(string sql, string parameter, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(sql);
        cmd.Parameters.Add(new NpgsqlParameter { Value = parameter });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? Read(r) : null;
    }

    /// <summary>Parameters $1 to $8: the row's columns but its created time. Typed: PostgreSQL cannot infer a type for an untyped NULL.</summary>
    private static void AddRow(NpgsqlParameterCollection p, NexusEndpointRecord endpoint)
    {
        p.Add(new NpgsqlParameter { Value = endpoint.Id });
        p.Add(new NpgsqlParameter { Value = endpoint.Version });
        p.Add(new NpgsqlParameter { Value = endpoint.Name });
        p.Add(new NpgsqlParameter { Value = (object?)endpoint.Target.NamespaceId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        p.Add(new NpgsqlParameter { Value = (object?)endpoint.Target.TaskQueue ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        p.Add(new NpgsqlParameter { Value = (object?)endpoint.Target.Url ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        p.Add(new NpgsqlParameter { Value = (object?)endpoint.Description ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bytea });
        p.Add(new NpgsqlParameter
        {
            Value = (object?)endpoint.LastModifiedTime?.ToUniversalTime() ?? DBNull.Value,
            NpgsqlDbType = NpgsqlDbType.TimestampTz,
        });
    }

    private static NexusEndpointRecord Read(NpgsqlDataReader r) => new(
        r.GetString(0), r.GetInt64(1), r.GetString(2),
        NexusEndpointTarget.FromColumns(r.IsDBNull(3) ? null : r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5)),
        r.IsDBNull(6) ? null : r.GetFieldValue<byte[]>(6),
        r.GetFieldValue<DateTimeOffset>(7),
        r.IsDBNull(8) ? null : r.GetFieldValue<DateTimeOffset>(8));
}
