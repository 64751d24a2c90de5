using Google.Protobuf;
using Npgsql;
using Tempora.Core.Errors;
using Temporalio.Api.Namespace.V1;

namespace Tempora.Persistence.Postgres;

internal sealed class PostgresNamespaceStore(NpgsqlDataSource db) : INamespaceStore
{
    private const string InsertSql = """
        INSERT INTO namespaces (id, name, info, config, custom_search_attributes) VALUES (@id, @name, @info, @config, @sa)
        """;
    private const string UpdateSql = """
        UPDATE namespaces SET name = @name, info = @info, config = @config, custom_search_attributes = @sa WHERE id = @id
        """;
    private const string SelectSql = "SELECT id, name, info, config, custom_search_attributes FROM namespaces";

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
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<NamespaceRecord?> GetByNameAsync(string name, CancellationToken ct) =>
        (await QueryAsync(SelectSql + " WHERE name = @p", name, ct)).FirstOrDefault();

    public async Task<NamespaceRecord?> GetByIdAsync(string id, CancellationToken ct) =>
        (await QueryAsync(SelectSql + " WHERE id = @p", id, ct)).FirstOrDefault();

    public Task<IReadOnlyList<NamespaceRecord>> ListAsync(CancellationToken ct) => QueryAsync(SelectSql + " ORDER BY name", null, ct);

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
        return cmd;
    }
}
