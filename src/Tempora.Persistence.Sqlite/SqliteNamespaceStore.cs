using Google.Protobuf;
using Microsoft.Data.Sqlite;
using Tempora.Core.Errors;
using Temporalio.Api.Namespace.V1;

namespace Tempora.Persistence.Sqlite;

internal sealed class SqliteNamespaceStore(SqliteDatabase db) : INamespaceStore
{
    private const string InsertSql = """
        INSERT INTO namespaces (id, name, info, config, custom_search_attributes) VALUES ($id, $name, $info, $config, $sa)
        """;
    private const string UpdateSql = """
        UPDATE namespaces SET name = $name, info = $info, config = $config, custom_search_attributes = $sa WHERE id = $id
        """;
    private const string SelectSql = "SELECT id, name, info, config, custom_search_attributes FROM namespaces";

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
        return cmd.ExecuteNonQuery();
    }, ct);

    public async Task<NamespaceRecord?> GetByNameAsync(string name, CancellationToken ct) =>
        (await QueryAsync(SelectSql + " WHERE name = $p", name, ct)).FirstOrDefault();

    public async Task<NamespaceRecord?> GetByIdAsync(string id, CancellationToken ct) =>
        (await QueryAsync(SelectSql + " WHERE id = $p", id, ct)).FirstOrDefault();

    public Task<IReadOnlyList<NamespaceRecord>> ListAsync(CancellationToken ct) => QueryAsync(SelectSql + " ORDER BY name", null, ct);

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
        return cmd;
    }
}
