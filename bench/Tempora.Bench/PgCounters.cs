using Npgsql;

namespace Tempora.Bench;

/// <summary>
/// PostgreSQL's own counters around a run: commits of the server's databases (main and visibility), WAL bytes and
/// WAL syncs. WAL is cluster-wide, so anything else running on the cluster is counted too.
/// </summary>
internal sealed record PgCounters(long Commits, long WalBytes, long WalSyncs)
{
    private const string Sql = """
        SELECT (SELECT coalesce(sum(xact_commit), 0) FROM pg_stat_database WHERE datname = current_database() OR datname = @vis)::bigint,
               pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint,
               (SELECT wal_sync FROM pg_stat_wal)::bigint
        """;

    public static async Task<PgCounters> ReadAsync(string connectionString, string? visibilityDatabase, CancellationToken ct)
    {
        // No pooling: this connection must not stay behind as an idle backend of the sampled cluster.
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false };
        await using var conn = new NpgsqlConnection(builder.ConnectionString);
        await conn.OpenAsync(ct);
        // A fresh snapshot of the statistics, not the one cached for this transaction.
        await using (var clear = new NpgsqlCommand("SELECT pg_stat_clear_snapshot()", conn))
        {
            await clear.ExecuteNonQueryAsync(ct);
        }
        await using var cmd = new NpgsqlCommand(Sql, conn);
        cmd.Parameters.AddWithValue("vis", visibilityDatabase ?? "");
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new PgCounters(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }
}
