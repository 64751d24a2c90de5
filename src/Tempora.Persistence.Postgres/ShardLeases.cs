using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Npgsql;
using Tempora.Core;

namespace Tempora.Persistence.Postgres;

/// <summary>
/// Shard ownership on PostgreSQL. A process owns shards through lease rows; range_id is the fencing token every write
/// checks (<see cref="PostgresExecutionStore"/>). For now one process owns all shards (active) and any other waits
/// (standby) until the active one's leases expire — after a SIGKILL, within <see cref="LeaseDuration"/> plus one
/// retry — and then takes every shard over, incrementing each range_id so that a late write of the old owner fails.
/// </summary>
public sealed partial class ShardLeases : IAsyncDisposable
{
    public static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan DefaultRenewEvery = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan RetryEvery = TimeSpan.FromSeconds(1);

    private readonly NpgsqlDataSource _db;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<int, long> _owned = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _lost = new();
    private readonly TimeSpan _renewEvery;
    private Task? _renewal;

    /// <param name="renewEvery">How often the leases are renewed; well under <see cref="LeaseDuration"/>.</param>
    public ShardLeases(NpgsqlDataSource db, int count, string owner, ILogger logger, TimeSpan? renewEvery = null)
    {
        _renewEvery = renewEvery ?? DefaultRenewEvery;
        _db = db;
        Count = count;
        Owner = owner;
        _logger = logger;
    }

    /// <summary>Number of shards (fixed for the life of the database).</summary>
    public int Count { get; }

    /// <summary>This process's identity in the lease rows (host, pid, a random part).</summary>
    public string Owner { get; }

    /// <summary>Cancelled when this process lost its leases to another one; it must stop serving then.</summary>
    public CancellationToken Lost => _lost.Token;

    /// <summary>The fencing token of an owned shard; throws when the shard is not (or no longer) ours.</summary>
    public (int Shard, long RangeId) Fence(WorkflowKey key)
    {
        var shard = Shards.Of(key.NamespaceId, key.WorkflowId, Count);
        return _owned.TryGetValue(shard, out var rangeId) ? (shard, rangeId) : throw new ShardOwnershipLostException(shard);
    }

    /// <summary>Records the shard count at first start and refuses another one later (history would be misplaced).</summary>
    public async Task InitializeAsync(CancellationToken ct)
    {
        await using var batch = _db.CreateBatch();
        foreach (var sql in new[]
        {
            "INSERT INTO cluster_metadata (id, num_history_shards) VALUES (1, $1) ON CONFLICT (id) DO NOTHING",
            "INSERT INTO shards (shard_id, range_id) SELECT s, 0 FROM generate_series(1, $1) AS s ON CONFLICT (shard_id) DO NOTHING",
            "SELECT num_history_shards FROM cluster_metadata WHERE id = 1 AND $1 > 0",
        })
        {
            var command = new NpgsqlBatchCommand(sql);
            command.Parameters.Add(new NpgsqlParameter { Value = Count });
            batch.BatchCommands.Add(command);
        }
        var existing = Convert.ToInt32(await batch.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
        if (existing != Count)
        {
            throw new InvalidOperationException(
                $"The database was set up with {existing} history shards; NUM_HISTORY_SHARDS={Count} cannot change it. Set it back to {existing}.");
        }
    }

    /// <summary>Waits (standby) until every shard is free or expired, takes them all, and starts renewing.</summary>
    public async Task AcquireAsync(CancellationToken ct)
    {
        var waiting = false;
        while (!await TryAcquireAllAsync(ct))
        {
            if (!waiting)
            {
                LogStandby(_logger, Owner, LeaseDuration.TotalSeconds);
                waiting = true;
            }
            await Task.Delay(RetryEvery, ct);
        }
        LogAcquired(_logger, Count, Owner);
        _renewal = RenewLoopAsync(_stop.Token);
    }

    private async Task<bool> TryAcquireAllAsync(CancellationToken ct)
    {
        try
        {
            await using var conn = await _db.OpenConnectionAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(ct);
            // Lock every lease row first. FOR UPDATE waits for writers still holding FOR KEY SHARE on a row: once this
            // transaction commits, the old owner's writes see a new range_id and roll back.
            await using (var rows = new NpgsqlCommand(
                "SELECT bool_or(owner IS NOT NULL AND owner <> $1 AND lease_expires_at > now()) FROM (SELECT * FROM shards ORDER BY shard_id FOR UPDATE) AS s",
                conn, tx))
            {
                rows.Parameters.Add(new NpgsqlParameter { Value = Owner });
                if (await rows.ExecuteScalarAsync(ct) is true)
                {
                    return false; // another live process owns shards: stay standby
                }
            }
            await using var take = new NpgsqlCommand("""
                UPDATE shards SET owner = $1, range_id = range_id + 1, lease_expires_at = now() + $2
                WHERE shard_id <= $3 RETURNING shard_id, range_id
                """, conn, tx);
            take.Parameters.Add(new NpgsqlParameter { Value = Owner });
            take.Parameters.Add(new NpgsqlParameter { Value = LeaseDuration });
            take.Parameters.Add(new NpgsqlParameter { Value = Count });
            var taken = new Dictionary<int, long>();
            await using (var r = await take.ExecuteReaderAsync(ct))
            {
                while (await r.ReadAsync(ct))
                {
                    taken[r.GetInt32(0)] = r.GetInt64(1);
                }
            }
            await tx.CommitAsync(ct);
            foreach (var (shard, rangeId) in taken)
            {
                _owned[shard] = rangeId;
            }
            return true;
        }
        catch (NpgsqlException e) when (!ct.IsCancellationRequested)
        {
            LogLeaseError(_logger, e);
            return false;
        }
    }

    private async Task RenewLoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_renewEvery, ct);
                await using var cmd = _db.CreateCommand("""
                    UPDATE shards SET lease_expires_at = now() + $2 WHERE owner = $1 AND shard_id = ANY($3) AND range_id = ANY($4)
                    RETURNING shard_id, range_id
                    """);
                var owned = _owned.ToArray();
                cmd.Parameters.Add(new NpgsqlParameter { Value = Owner });
                cmd.Parameters.Add(new NpgsqlParameter { Value = LeaseDuration });
                cmd.Parameters.Add(new NpgsqlParameter { Value = owned.Select(o => o.Key).ToArray() });
                cmd.Parameters.Add(new NpgsqlParameter { Value = owned.Select(o => o.Value).ToArray() });
                var renewed = new HashSet<(int, long)>();
                await using (var r = await cmd.ExecuteReaderAsync(ct))
                {
                    while (await r.ReadAsync(ct))
                    {
                        renewed.Add((r.GetInt32(0), r.GetInt64(1)));
                    }
                }
                var lost = owned.Where(o => !renewed.Contains((o.Key, o.Value))).Select(o => o.Key).ToList();
                if (lost.Count > 0)
                {
                    foreach (var shard in lost)
                    {
                        _owned.TryRemove(shard, out _);
                    }
                    LogLost(_logger, string.Join(",", lost));
                    await _lost.CancelAsync();
                    return;
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (NpgsqlException e)
            {
                // The database is unreachable: keep trying. Writes are fenced, so if another process takes the
                // shards meanwhile, this one's writes fail and the next renewal notices.
                LogLeaseError(_logger, e);
            }
        }
    }

    /// <summary>Stops renewing and gives the leases up, so that a standby can take over at once (graceful stop).</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_renewal is not null)
        {
            await _renewal;
            try
            {
                await using var cmd = _db.CreateCommand("UPDATE shards SET owner = NULL, lease_expires_at = NULL WHERE owner = $1");
                cmd.Parameters.Add(new NpgsqlParameter { Value = Owner });
                await cmd.ExecuteNonQueryAsync();
            }
            catch (NpgsqlException e)
            {
                LogLeaseError(_logger, e); // the leases expire by themselves
            }
        }
        _owned.Clear();
        _stop.Dispose();
        _lost.Dispose();
    }

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information,
        Message = "Standby: another Tempora process holds the shard leases; {Owner} takes over when they expire (at most {Seconds} s after it stops)")]
    private static partial void LogStandby(ILogger logger, string owner, double seconds);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "Owning all {Count} shards as {Owner}")]
    private static partial void LogAcquired(ILogger logger, int count, string owner);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Critical, Message = "Shard leases {Shards} were taken over by another process; stopping")]
    private static partial void LogLost(ILogger logger, string shards);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "Shard lease query failed; retrying")]
    private static partial void LogLeaseError(ILogger logger, Exception exception);
}
