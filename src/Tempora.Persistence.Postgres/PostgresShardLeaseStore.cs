using Npgsql;

namespace Tempora.Persistence.Postgres;

/// <summary>
/// The lease rows on PostgreSQL: <c>cluster_members</c> (who is alive, at which address) and <c>shards</c> (one lease
/// and fencing token per shard), shared by every process on the database, and the cluster's generated secret
/// (<c>cluster_secrets</c>).
/// </summary>
internal sealed class PostgresShardLeaseStore(NpgsqlDataSource db) : IShardLeaseStore
{
    public async Task<int> InitializeAsync(int count, CancellationToken ct)
    {
        await using var batch = db.CreateBatch();
        foreach (var sql in new[]
        {
            "INSERT INTO cluster_metadata (id, num_history_shards) VALUES (1, $1) ON CONFLICT (id) DO NOTHING",
            "INSERT INTO shards (shard_id, range_id) SELECT s, 0 FROM generate_series(1, $1) AS s ON CONFLICT (shard_id) DO NOTHING",
            "SELECT num_history_shards FROM cluster_metadata WHERE id = 1 AND $1 > 0",
        })
        {
            batch.BatchCommands.Add(Command(sql, count));
        }
        return Convert.ToInt32(await batch.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<LeaseRound> RenewAndReadAsync(string owner, string address, TimeSpan leaseDuration,
        IReadOnlyCollection<KeyValuePair<int, long>> owned, CancellationToken ct)
    {
        await using var batch = db.CreateBatch();
        batch.BatchCommands.Add(Command("""
            INSERT INTO cluster_members (owner, address, expires_at) VALUES ($1, $2, now() + $3)
            ON CONFLICT (owner) DO UPDATE SET address = excluded.address, expires_at = excluded.expires_at
            """, owner, address, leaseDuration));
        batch.BatchCommands.Add(Command("DELETE FROM cluster_members WHERE expires_at < now() - interval '1 hour'"));
        // Renew only the leases still carrying our fencing token: a shard taken over meanwhile is not ours any more.
        batch.BatchCommands.Add(Command("""
            UPDATE shards SET lease_expires_at = now() + $2
            FROM unnest($3::integer[], $4::bigint[]) AS mine (shard_id, range_id)
            WHERE shards.owner = $1 AND shards.shard_id = mine.shard_id AND shards.range_id = mine.range_id
            RETURNING shards.shard_id
            """, owner, leaseDuration, owned.Select(o => o.Key).ToArray(), owned.Select(o => o.Value).ToArray()));
        batch.BatchCommands.Add(Command("SELECT owner, address FROM cluster_members WHERE expires_at > now() ORDER BY owner"));
        batch.BatchCommands.Add(Command("SELECT shard_id, owner, coalesce(lease_expires_at > now(), false) FROM shards ORDER BY shard_id"));
        await using var r = await batch.ExecuteReaderAsync(ct);
        var renewed = new HashSet<int>();
        while (await r.ReadAsync(ct))
        {
            renewed.Add(r.GetInt32(0));
        }
        await r.NextResultAsync(ct);
        var members = new List<LeaseMember>();
        while (await r.ReadAsync(ct))
        {
            members.Add(new LeaseMember(r.GetString(0), r.GetString(1)));
        }
        await r.NextResultAsync(ct);
        var shards = new List<ShardLeaseRow>();
        while (await r.ReadAsync(ct))
        {
            shards.Add(new ShardLeaseRow(r.GetInt32(0), r.IsDBNull(1) ? null : r.GetString(1), r.GetBoolean(2)));
        }
        return new LeaseRound(members, shards, renewed);
    }

    public async Task GiveUpAsync(string owner, IReadOnlyList<int> shards, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("UPDATE shards SET owner = NULL, lease_expires_at = NULL WHERE owner = $1 AND shard_id = ANY($2)");
        cmd.Parameters.Add(new NpgsqlParameter { Value = owner });
        cmd.Parameters.Add(new NpgsqlParameter { Value = shards.ToArray() });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<IReadOnlyDictionary<int, long>> TakeAsync(string owner, TimeSpan leaseDuration, IReadOnlyList<int> shards,
        IReadOnlyCollection<string> predecessors, CancellationToken ct)
    {
        var taken = new Dictionary<int, long>();
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        // FOR UPDATE waits for writers still holding FOR KEY SHARE on a row (a plain UPDATE would not): once this
        // commits, the former owner's writes see a new range_id and roll back.
        await using (var lockRows = new NpgsqlCommand("SELECT shard_id FROM shards WHERE shard_id = ANY($1) ORDER BY shard_id FOR UPDATE", conn, tx))
        {
            lockRows.Parameters.Add(new NpgsqlParameter { Value = shards.ToArray() });
            await lockRows.ExecuteNonQueryAsync(ct);
        }
        await using var update = new NpgsqlCommand("""
            UPDATE shards SET owner = $1, range_id = range_id + 1, lease_expires_at = now() + $2
            WHERE shard_id = ANY($3)
              AND (owner IS NULL OR owner = $1 OR owner = ANY($4) OR lease_expires_at IS NULL OR lease_expires_at <= now())
            RETURNING shard_id, range_id
            """, conn, tx);
        update.Parameters.Add(new NpgsqlParameter { Value = owner });
        update.Parameters.Add(new NpgsqlParameter { Value = leaseDuration });
        update.Parameters.Add(new NpgsqlParameter { Value = shards.ToArray() });
        update.Parameters.Add(new NpgsqlParameter { Value = predecessors.ToArray() });
        await using (var r = await update.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                taken[r.GetInt32(0)] = r.GetInt64(1);
            }
        }
        await tx.CommitAsync(ct);
        return taken;
    }

    public async Task LeaveAsync(string owner, CancellationToken ct)
    {
        await using var batch = db.CreateBatch();
        batch.BatchCommands.Add(Command("UPDATE shards SET owner = NULL, lease_expires_at = NULL WHERE owner = $1", owner));
        batch.BatchCommands.Add(Command("DELETE FROM cluster_members WHERE owner = $1", owner));
        await batch.ExecuteNonQueryAsync(ct);
    }

    public async Task<string> EnsureClusterSecretAsync(string candidate, CancellationToken ct)
    {
        // One statement: on a conflict, the no-op update returns the row that is there (the other replica's, once it
        // commits), where DO NOTHING would return no row at all.
        await using var cmd = db.CreateCommand("""
            INSERT INTO cluster_secrets (id, secret) VALUES (1, $1)
            ON CONFLICT (id) DO UPDATE SET secret = cluster_secrets.secret
            RETURNING secret
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = candidate });
        return (string)(await cmd.ExecuteScalarAsync(ct))!;
    }

    private static NpgsqlBatchCommand Command(string sql, params object[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }
        return command;
    }
}
