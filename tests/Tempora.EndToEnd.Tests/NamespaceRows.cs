using Microsoft.Data.Sqlite;
using Npgsql;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// The rows a namespace has in the database itself: every table with a <c>namespace_id</c> column (found from the
/// schema, so a table added later is counted too), plus its row in <c>namespaces</c>; on PostgreSQL in both the main
/// and the visibility database.
/// </summary>
internal static class NamespaceRows
{
    /// <summary>Rows of the namespace by table ("namespaces" for its own row); tables without any are left out.</summary>
    public static async Task<IReadOnlyDictionary<string, long>> CountAsync(TestDatabase db, string namespaceId)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        if (db.Postgres is { } pg)
        {
            foreach (var database in new[] { pg.Database, pg.VisibilityDatabase })
            {
                await using var conn = new NpgsqlConnection(pg.ConnectionString(database));
                await conn.OpenAsync();
                var tables = new List<string>();
                await using (var cmd = new NpgsqlCommand(
                    "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'namespace_id'", conn))
                await using (var reader = await cmd.ExecuteReaderAsync())
                {
                    while (await reader.ReadAsync())
                    {
                        tables.Add(reader.GetString(0));
                    }
                }
                foreach (var table in tables)
                {
                    await using var count = new NpgsqlCommand($"SELECT COUNT(*) FROM {table} WHERE namespace_id = @ns", conn);
                    count.Parameters.AddWithValue("ns", namespaceId);
                    Add(counts, $"{database}.{table}", (long)(await count.ExecuteScalarAsync())!);
                }
                if (database == pg.Database)
                {
                    await using var own = new NpgsqlCommand("SELECT COUNT(*) FROM namespaces WHERE id = @ns", conn);
                    own.Parameters.AddWithValue("ns", namespaceId);
                    Add(counts, "namespaces", (long)(await own.ExecuteScalarAsync())!);
                }
            }
            return counts;
        }
        await using (var conn = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db.DbFile, Pooling = false, Mode = SqliteOpenMode.ReadOnly }.ConnectionString))
        {
            await conn.OpenAsync();
            var tables = new List<string>();
            await using (var cmd = conn.CreateCommand())
            {
                cmd.CommandText = """
                    SELECT m.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
                    WHERE m.type = 'table' AND p.name = 'namespace_id'
                    """;
                await using var reader = await cmd.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    tables.Add(reader.GetString(0));
                }
            }
            foreach (var table in tables.Append("namespaces"))
            {
                await using var count = conn.CreateCommand();
                count.CommandText = $"SELECT COUNT(*) FROM {table} WHERE {(table == "namespaces" ? "id" : "namespace_id")} = $ns";
                count.Parameters.AddWithValue("$ns", namespaceId);
                Add(counts, table, (long)(await count.ExecuteScalarAsync())!);
            }
        }
        return counts;
    }

    private static void Add(Dictionary<string, long> counts, string table, long count)
    {
        if (count > 0)
        {
            counts[table] = count;
        }
    }
}
