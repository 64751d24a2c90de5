using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tempora.Core;
using Tempora.Core.Metrics;
using Tempora.Persistence;

namespace Tempora.Cluster.Membership;

/// <summary>
/// Shard ownership shared by every live process on one database (its rows: <see cref="IShardLeaseStore"/>). Each
/// process registers as a member with its gRPC address and, every <see cref="DefaultTickEvery"/>, renews that row and
/// its leases and reads who is alive. The live members, sorted, split the shards round-robin (shard i goes to member
/// (i - 1) mod n): a process gives up the shards that now belong to another live member and takes the ones that belong
/// to it as soon as they are free (given up, or their lease expired after a crash). Taking a shard increments its
/// range_id, the fencing token every write carries (<see cref="Fence"/>), so a late write of the former owner fails.
/// </summary>
public sealed partial class ShardLeases : IClusterMembership
{
    public static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan DefaultTickEvery = TimeSpan.FromSeconds(1);

    private readonly IShardLeaseStore _store;
    private readonly ILogger _logger;
    private readonly IMetrics _metrics;
    private readonly ConcurrentDictionary<int, long> _owned = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly TimeSpan _tickEvery;
    private readonly SemaphoreSlim _tickLock = new(1, 1);
    private IShardListener? _listener;
    private volatile ShardRoute[] _routes = [];
    private volatile string[] _peers = [];
    private Task? _loop;
    private int _disposed;

    /// <param name="owner">This process's identity in the lease rows; a fresh one (host, pid, a random part) when null.</param>
    /// <param name="metrics">Told the number of shards owned here after every change (the num_shards gauge).</param>
    /// <param name="tickEvery">How often leases are renewed and the membership read; well under <see cref="LeaseDuration"/>.</param>
    public ShardLeases(IShardLeaseStore store, int count, ILogger<ShardLeases>? logger = null, IMetrics? metrics = null,
        string? owner = null, TimeSpan? tickEvery = null)
    {
        _store = store;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _metrics = metrics ?? NullMetrics.Instance;
        _tickEvery = tickEvery ?? DefaultTickEvery;
        Count = count;
        Owner = owner ?? $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";
    }

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

    /// <summary>Leases can move: every request routes by them.</summary>
    public bool OwnsEveryShard => false;

    /// <summary>The fencing token of an owned shard; throws when the shard is not (or no longer) ours.</summary>
    public ShardFence Fence(WorkflowKey key)
    {
        var shard = Shards.Of(key.NamespaceId, key.WorkflowId, Count);
        return _owned.TryGetValue(shard, out var rangeId) ? new ShardFence(shard, rangeId) : throw new ShardOwnershipLostException(shard);
    }

    /// <summary>Records the shard count at first start and refuses another one later (history would be misplaced).</summary>
    private async Task InitializeAsync(CancellationToken ct)
    {
        var existing = await _store.InitializeAsync(Count, ct);
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
    public async Task JoinAsync(IShardListener listener, string address, CancellationToken ct)
    {
        await InitializeAsync(ct);
        _listener = listener;
        Address = address;
        while (!await TickAsync(ct))
        {
            await Task.Delay(_tickEvery, ct); // the database is not reachable yet
        }
        LogJoined(_logger, Owner, Address, _owned.Count, Count, _peers.Length);
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
                LogTickError(_logger, e);
            }
        }
    }

    /// <summary>One round: renew, read the cluster, give up and take shards. False when the database failed.</summary>
    public async Task<bool> TickAsync(CancellationToken ct)
    {
        await _tickLock.WaitAsync(ct);
        try
        {
            var view = await _store.RenewAndReadAsync(Owner, Address, LeaseDuration, _owned.ToArray(), ct);
            var lost = _owned.Keys.Where(s => !view.Renewed.Contains(s)).ToList();
            if (lost.Count > 0)
            {
                // Our lease ran out (a long pause, the database away) and another process took the shards: they are
                // fenced already; drop what is held for them.
                Release(lost);
                LogLost(_logger, string.Join(",", lost));
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
                await _store.GiveUpAsync(Owner, giveUp, ct);
                LogGaveUp(_logger, string.Join(",", giveUp));
            }

            var take = view.Shards.Where(s => Mine(s.Shard) && !_owned.ContainsKey(s.Shard)
                    && (s.Owner is null || !s.Live || s.Owner == Owner || predecessors.Contains(s.Owner)))
                .Select(s => s.Shard).ToList();
            if (take.Count > 0)
            {
                if (predecessors.Count > 0)
                {
                    LogPredecessor(_logger, string.Join(",", predecessors), Address);
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
        catch (DbException e) when (!ct.IsCancellationRequested)
        {
            // The database is unreachable: keep trying. Writes are fenced, so if another process takes the shards
            // meanwhile, this one's writes fail and a later round notices.
            LogLeaseError(_logger, e);
            return false;
        }
        finally
        {
            _tickLock.Release();
        }
    }

    /// <summary>Takes free or expired shards over, bumping their fencing tokens, then has their tasks loaded.</summary>
    private async Task TakeAsync(List<int> shards, IReadOnlyCollection<string> predecessors, CancellationToken ct)
    {
        // Whatever an earlier stint here left cached for these shards is stale: another process may have written since.
        _listener?.ShardsReleased(shards);
        var taken = await _store.TakeAsync(Owner, LeaseDuration, shards, predecessors, ct);
        if (taken.Count == 0)
        {
            return;
        }
        foreach (var (shard, rangeId) in taken)
        {
            _owned[shard] = rangeId;
        }
        LogTook(_logger, string.Join(",", taken.Keys.Order()), _owned.Count, Count);
        _metrics.Set(MetricNames.NumShards, _owned.Count);
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
        _metrics.Set(MetricNames.NumShards, _owned.Count);
    }

    /// <summary>Leaves the cluster: gives the leases up and removes this member, so the others take over at once.</summary>
    public async ValueTask DisposeAsync()
    {
        // The container holds this as the membership and as the ownership: only the first call leaves.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
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
                await _store.LeaveAsync(Owner, CancellationToken.None);
            }
            catch (DbException e)
            {
                LogLeaseError(_logger, e); // the leases expire by themselves
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
