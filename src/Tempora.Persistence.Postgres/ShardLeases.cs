using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Npgsql;
using Tempora.Core;

namespace Tempora.Persistence.Postgres;

/// <summary>
/// Shard ownership on PostgreSQL, shared by every live process on the database. Each process registers in
/// <c>cluster_members</c> with its gRPC address and, every <see cref="DefaultTickEvery"/>, renews that row and its
/// leases and reads who is alive. The live members, sorted, split the shards round-robin (shard i goes to member
/// (i - 1) mod n): a process gives up the shards that now belong to another live member and takes the ones that belong
/// to it as soon as they are free (given up, or their lease expired after a crash). Taking a shard increments its
/// range_id, the fencing token every write checks, so a late write of the former owner fails.
/// </summary>
public sealed partial class ShardLeases : IShardOwnership, IAsyncDisposable
{
    public static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan DefaultTickEvery = TimeSpan.FromSeconds(1);

    private readonly NpgsqlDataSource _db;
    private readonly ConcurrentDictionary<int, long> _owned = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly TimeSpan _tickEvery;
    private readonly SemaphoreSlim _tickLock = new(1, 1);
    private IShardListener? _listener;
    private volatile ShardRoute[] _routes = [];
    private volatile string[] _peers = [];
    private Task? _loop;

    /// <param name="tickEvery">How often leases are renewed and the membership read; well under <see cref="LeaseDuration"/>.</param>
    public ShardLeases(NpgsqlDataSource db, int count, string owner, TimeSpan? tickEvery = null)
    {
        _tickEvery = tickEvery ?? DefaultTickEvery;
        _db = db;
        Count = count;
        Owner = owner;
    }

    /// <summary>Where lease changes are logged (set once the host's logging exists).</summary>
    public ILogger Logger { get; set; } = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    /// <summary>Told the number of shards owned here after every change (the num_shards gauge).</summary>
    public Action<int>? OwnedCountChanged { get; set; }

    public int Count { get; }

    /// <summary>This process's identity in the lease rows (host, pid, a random part).</summary>
    public string Owner { get; }

    /// <summary>Where the other processes forward this one's requests (host:port), given when joining.</summary>
    public string Address { get; private set; } = "";

    /// <summary>The shards this process owns now.</summary>
    public IReadOnlyCollection<int> OwnedShards => [.. _owned.Keys.Order()];

    public IReadOnlyList<string> Peers => _peers;

    public ShardRoute Route(int shard)
    {
        if (_owned.ContainsKey(shard))
        {
            return ShardRoute.Local;
        }
        var routes = _routes;
        return shard >= 1 && shard <= routes.Length ? routes[shard - 1] : new ShardRoute(ShardRouteKind.Unowned);
    }

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
        _routes = [.. Enumerable.Repeat(new ShardRoute(ShardRouteKind.Unowned), Count)];
    }

    /// <summary>
    /// Joins the cluster: registers, takes the shards that fall to this process and are free, and keeps doing so in
    /// the background. Returns after the first round; shards still held by a live former owner arrive within a round
    /// or two, once it has given them up.
    /// </summary>
    public async Task StartAsync(IShardListener listener, string address, CancellationToken ct)
    {
        _listener = listener;
        Address = address;
        while (!await TickAsync(ct))
        {
            await Task.Delay(_tickEvery, ct); // the database is not reachable yet
        }
        LogJoined(Logger, Owner, Address, _owned.Count, Count, _peers.Length);
        _loop = LoopAsync(_stop.Token);
    }

    private async Task LoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_tickEvery, ct);
                await TickAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogTickError(Logger, e);
            }
        }
    }

    /// <summary>One round: renew, read the cluster, give up and take shards. False when the database failed.</summary>
    public async Task<bool> TickAsync(CancellationToken ct)
    {
        await _tickLock.WaitAsync(ct);
        try
        {
            var view = await RenewAndReadAsync(ct);
            var lost = _owned.Keys.Where(s => !view.Renewed.Contains(s)).ToList();
            if (lost.Count > 0)
            {
                // Our lease ran out (a long pause, the database away) and another process took the shards: they are
                // fenced already; drop what is held for them.
                Release(lost);
                LogLost(Logger, string.Join(",", lost));
            }

            // A member registered at this process's own address can only be a predecessor that died (a restart after
            // kill -9: two live processes cannot listen on one address): its shards are taken at once instead of
            // after its lease runs out. Fencing keeps this safe even if the address were shared by mistake.
            var predecessors = view.Members.Where(m => m.Address == Address && m.Owner != Owner).Select(m => m.Owner).ToHashSet(StringComparer.Ordinal);
            var members = view.Members.Where(m => !predecessors.Contains(m.Owner)).ToList();
            var myIndex = members.FindIndex(m => m.Owner == Owner);
            bool Mine(int shard) => members.Count == 0 || (shard - 1) % members.Count == myIndex;

            var giveUp = _owned.Keys.Where(s => !Mine(s)).Order().ToList();
            if (giveUp.Count > 0)
            {
                Release(giveUp);
                await using var cmd = _db.CreateCommand("UPDATE shards SET owner = NULL, lease_expires_at = NULL WHERE owner = $1 AND shard_id = ANY($2)");
                cmd.Parameters.Add(new NpgsqlParameter { Value = Owner });
                cmd.Parameters.Add(new NpgsqlParameter { Value = giveUp.ToArray() });
                await cmd.ExecuteNonQueryAsync(ct);
                LogGaveUp(Logger, string.Join(",", giveUp));
            }

            var take = view.Shards.Where(s => Mine(s.Shard) && !_owned.ContainsKey(s.Shard)
                    && (s.Owner is null || !s.Live || s.Owner == Owner || predecessors.Contains(s.Owner)))
                .Select(s => s.Shard).ToList();
            if (take.Count > 0)
            {
                if (predecessors.Count > 0)
                {
                    LogPredecessor(Logger, string.Join(",", predecessors), Address);
                }
                await TakeAsync(take, predecessors, ct);
            }

            var addresses = members.ToDictionary(m => m.Owner, m => m.Address, StringComparer.Ordinal);
            _routes = [.. view.Shards.OrderBy(s => s.Shard).Select(s =>
                s.Owner is { } owner && s.Live && owner != Owner && addresses.TryGetValue(owner, out var address)
                    ? new ShardRoute(ShardRouteKind.Remote, address)
                    : new ShardRoute(ShardRouteKind.Unowned))];
            _peers = [.. members.Where(m => m.Owner != Owner).Select(m => m.Address)];
            return true;
        }
        catch (NpgsqlException e) when (!ct.IsCancellationRequested)
        {
            // The database is unreachable: keep trying. Writes are fenced, so if another process takes the shards
            // meanwhile, this one's writes fail and a later round notices.
            LogLeaseError(Logger, e);
            return false;
        }
        finally
        {
            _tickLock.Release();
        }
    }

    private sealed record Member(string Owner, string Address);

    private sealed record ShardRow(int Shard, string? Owner, bool Live);

    private sealed record View(List<Member> Members, List<ShardRow> Shards, HashSet<int> Renewed);

    private async Task<View> RenewAndReadAsync(CancellationToken ct)
    {
        var owned = _owned.ToArray();
        await using var batch = _db.CreateBatch();
        batch.BatchCommands.Add(Command("""
            INSERT INTO cluster_members (owner, address, expires_at) VALUES ($1, $2, now() + $3)
            ON CONFLICT (owner) DO UPDATE SET address = excluded.address, expires_at = excluded.expires_at
            """, Owner, Address, LeaseDuration));
        batch.BatchCommands.Add(Command("DELETE FROM cluster_members WHERE expires_at < now() - interval '1 hour'"));
        // Renew only the leases still carrying our fencing token: a shard taken over meanwhile is not ours any more.
        batch.BatchCommands.Add(Command("""
            UPDATE shards SET lease_expires_at = now() + $2
            FROM unnest($3::integer[], $4::bigint[]) AS mine (shard_id, range_id)
            WHERE shards.owner = $1 AND shards.shard_id = mine.shard_id AND shards.range_id = mine.range_id
            RETURNING shards.shard_id
            """, Owner, LeaseDuration, owned.Select(o => o.Key).ToArray(), owned.Select(o => o.Value).ToArray()));
        batch.BatchCommands.Add(Command("SELECT owner, address FROM cluster_members WHERE expires_at > now() ORDER BY owner"));
        batch.BatchCommands.Add(Command("SELECT shard_id, owner, coalesce(lease_expires_at > now(), false) FROM shards ORDER BY shard_id"));
        await using var r = await batch.ExecuteReaderAsync(ct);
        var renewed = new HashSet<int>();
        while (await r.ReadAsync(ct))
        {
            renewed.Add(r.GetInt32(0));
        }
        await r.NextResultAsync(ct);
        var members = new List<Member>();
        while (await r.ReadAsync(ct))
        {
            members.Add(new Member(r.GetString(0), r.GetString(1)));
        }
        await r.NextResultAsync(ct);
        var shards = new List<ShardRow>();
        while (await r.ReadAsync(ct))
        {
            shards.Add(new ShardRow(r.GetInt32(0), r.IsDBNull(1) ? null : r.GetString(1), r.GetBoolean(2)));
        }
        return new View(members, shards, renewed);
    }

    /// <summary>Takes free or expired shards over, bumping their fencing tokens, then has their tasks loaded.</summary>
    private async Task TakeAsync(List<int> shards, IReadOnlyCollection<string> predecessors, CancellationToken ct)
    {
        // Whatever an earlier stint here left cached for these shards is stale: another process may have written since.
        _listener?.ShardsReleased(shards);
        var taken = new Dictionary<int, long>();
        await using (var conn = await _db.OpenConnectionAsync(ct))
        await using (var tx = await conn.BeginTransactionAsync(ct))
        {
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
            update.Parameters.Add(new NpgsqlParameter { Value = Owner });
            update.Parameters.Add(new NpgsqlParameter { Value = LeaseDuration });
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
        }
        if (taken.Count == 0)
        {
            return;
        }
        foreach (var (shard, rangeId) in taken)
        {
            _owned[shard] = rangeId;
        }
        LogTook(Logger, string.Join(",", taken.Keys.Order()), _owned.Count, Count);
        OwnedCountChanged?.Invoke(_owned.Count);
        if (_listener is not null)
        {
            try
            {
                await _listener.ShardsAcquiredAsync(taken.Keys.ToList(), ct);
            }
            catch
            {
                // Owned but not loaded would leave their timers and tasks idle: let go here, and the next round takes
                // them again (the lease still names this process) and loads them afresh.
                Release(taken.Keys.ToList());
                throw;
            }
        }
    }

    /// <summary>Stops writing for the shards (the fence refuses them from now on) and drops what is held for them.</summary>
    private void Release(IReadOnlyCollection<int> shards)
    {
        foreach (var shard in shards)
        {
            _owned.TryRemove(shard, out _);
        }
        _listener?.ShardsReleased(shards);
        OwnedCountChanged?.Invoke(_owned.Count);
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

    /// <summary>Leaves the cluster: gives the leases up and removes this member, so the others take over at once.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }
        var owned = _owned.Keys.ToList();
        Release(owned);
        if (_listener is not null)
        {
            try
            {
                await using var batch = _db.CreateBatch();
                batch.BatchCommands.Add(Command("UPDATE shards SET owner = NULL, lease_expires_at = NULL WHERE owner = $1", Owner));
                batch.BatchCommands.Add(Command("DELETE FROM cluster_members WHERE owner = $1", Owner));
                await batch.ExecuteNonQueryAsync();
            }
            catch (NpgsqlException e)
            {
                LogLeaseError(Logger, e); // the leases expire by themselves
            }
        }
        _stop.Dispose();
        _tickLock.Dispose();
    }

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information,
        Message = "Joined the cluster as {Owner} at {Address}: {Owned} of {Count} shards, {Peers} other live process(es)")]
    private static partial void LogJoined(ILogger logger, string owner, string address, int owned, int count, int peers);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "Took shards {Shards}; owning {Owned} of {Count}")]
    private static partial void LogTook(ILogger logger, string shards, int owned, int count);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "Shard leases {Shards} were taken over by another process; dropped them")]
    private static partial void LogLost(ILogger logger, string shards);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "Shard lease query failed; retrying")]
    private static partial void LogLeaseError(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Information, Message = "Gave up shards {Shards} to another live process")]
    private static partial void LogGaveUp(ILogger logger, string shards);

    [LoggerMessage(EventId = 1107, Level = LogLevel.Information,
        Message = "Taking over from {Predecessors}, registered at this process's address {Address}: a predecessor that stopped without leaving")]
    private static partial void LogPredecessor(ILogger logger, string predecessors, string address);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Error, Message = "Shard lease round failed; retrying")]
    private static partial void LogTickError(ILogger logger, Exception exception);
}
