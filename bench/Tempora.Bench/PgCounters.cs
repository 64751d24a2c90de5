using Npgsql;

namespace Tempora.Bench;

/// <summary>
/// PostgreSQL's own counters around a run: commits of the server's databases (main and visibility), WAL bytes and
/// WAL syncs, and rows inserted/updated/deleted per table. WAL is cluster-wide, so anything else running on the
/// cluster is counted too.
/// </summary>
internal sealed record PgCounters(long Commits, long WalBytes, long WalSyncs, IReadOnlyDictionary<string, (long Ins, long Upd, long Del)> Tables)
{
    private const string ClusterSql = """
        SELECT (SELECT coalesce(sum(xact_commit), 0) FROM pg_stat_database WHERE datname = current_database() OR datname = @vis)::bigint,
               pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint,
               (SELECT wal_sync FROM pg_stat_wal)::bigint
        """;

    private const string TablesSql = "SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_user_tables";

    public static async Task<PgCounters> ReadAsync(string connectionString, string? visibilityDatabase, CancellationToken ct)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var tables = new Dictionary<string, (long, long, long)>(StringComparer.Ordinal);
        long commits, walBytes, walSyncs;
        await using (var conn = await OpenAsync(builder, builder.Database, ct))
        {
            await using var cmd = new NpgsqlCommand(ClusterSql, conn);
            cmd.Parameters.AddWithValue("vis", visibilityDatabase ?? "");
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            (commits, walBytes, walSyncs) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
        }
        await ReadTablesAsync(builder, builder.Database, "", tables, ct);
        if (!string.IsNullOrEmpty(visibilityDatabase) && visibilityDatabase != builder.Database)
        {
            await ReadTablesAsync(builder, visibilityDatabase, "visibility.", tables, ct);
        }
        return new PgCounters(commits, walBytes, walSyncs, tables);
    }

    private static async Task ReadTablesAsync(
        NpgsqlConnectionStringBuilder builder, string? database, string prefix, Dictionary<string, (long, long, long)> into, CancellationToken ct)
    {
        await using var conn = await OpenAsync(builder, database, ct);
        await using var cmd = new NpgsqlCommand(TablesSql, conn);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            into[prefix + reader.GetString(0)] = (reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
        }
    }

    private static async Task<NpgsqlConnection> OpenAsync(NpgsqlConnectionStringBuilder builder, string? database, CancellationToken ct)
    {
        // No pooling: these connections must not stay behind as idle backends of the sampled cluster.
        var b = new NpgsqlConnectionStringBuilder(builder.ConnectionString) { Pooling = false, Database = database };
        var conn = new NpgsqlConnection(b.ConnectionString);
        await conn.OpenAsync(ct);
        return conn;
    }
}
