using Npgsql;
using Tempora.Cluster.Membership;
using Tempora.Core;
using Tempora.Persistence;
using Tempora.Persistence.Postgres;
using Tempora.Persistence.Tests;
using static Tempora.Persistence.Tests.TestData;

namespace Tempora.Cluster.Tests;

/// <summary>Shard leases and fencing on PostgreSQL: a process whose shards were taken over cannot write any more.</summary>
public sealed class ShardLeaseTests : IAsyncLifetime
{
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromMinutes(2));
    private readonly PostgresSettings _settings = TestPostgres.NewSettings(singleDatabase: false);

    private CancellationToken Ct => _timeout.Token;

    public Task InitializeAsync() => PostgresSchema.SetupAsync(_settings, Ct);

    public async Task DisposeAsync()
    {
        await TestPostgres.DropDatabasesAsync(_settings);
        _timeout.Dispose();
    }

    [Fact]
    public async Task TakenOverShards_FenceTheOldOwnersWrites_AndTheNewOwnerWrites()
    {
        // The first process stalls after taking the shards: it never runs another lease round (a long GC pause, a
        // frozen VM).
        await using var first = await PostgresPersistence.OpenAsync(_settings, migrate: false, Ct);
        await using var firstLeases = await JoinAsync(first, 4, tickEvery: TimeSpan.FromHours(1));
        Assert.Equal([1, 2, 3, 4], firstLeases.OwnedShards);
        var key = NewRun("wf-fenced");
        var created = Create(key) with { Fence = firstLeases.Fence(key) };
        await first.Executions.WriteAsync(created, Ct);

        // A second process joins; the shards that fall to it are still leased by the first, so it takes none yet.
        await using var second = await PostgresPersistence.OpenAsync(_settings, migrate: false, Ct);
        await using var secondLeases = await JoinAsync(second, 4);
        await Task.Delay(TimeSpan.FromSeconds(2), Ct);
        Assert.Empty(secondLeases.OwnedShards);
        Assert.Equal(ShardRouteKind.Remote, secondLeases.Route(1).Kind);

        // The first one's leases and membership run out; the second is alone and takes every shard over.
        await ExecuteAsync("UPDATE shards SET lease_expires_at = now() - interval '1 second'");
        await ExecuteAsync($"UPDATE cluster_members SET expires_at = now() - interval '1 second' WHERE owner = '{firstLeases.Owner}'");
        await WaitUntilAsync(() => secondLeases.OwnedShards.Count == 4, "the second process to own every shard");

        // The old owner's write is refused by the fencing token it still holds, and leaves no trace.
        var stale = Update(created.Key, expectedDbVersion: 1) with { Fence = firstLeases.Fence(key), NewHistory = [Batch(3, 4)] };
        await Assert.ThrowsAsync<ShardOwnershipLostException>(() => first.Executions.WriteAsync(stale, Ct));
        Assert.Equal(1, (await second.Executions.GetExecutionAsync(created.Key, Ct))!.DbVersion);
        Assert.Empty(await second.Executions.ReadHistoryAsync(created.Key, 3, 10, Ct));
        // So is its deletion of the run (retention).
        await Assert.ThrowsAsync<ShardOwnershipLostException>(() => first.Executions.DeleteExecutionAsync(created.Key, firstLeases.Fence(key), Ct));
        Assert.NotNull(await second.Executions.GetExecutionAsync(created.Key, Ct));

        // The new owner writes the same transition under its own fence.
        await second.Executions.WriteAsync(stale with { Fence = secondLeases.Fence(key) }, Ct);
        Assert.Equal(2, (await second.Executions.GetExecutionAsync(created.Key, Ct))!.DbVersion);
        Assert.Single(await second.Executions.ReadHistoryAsync(created.Key, 3, 10, Ct));
        Assert.Equal(4, await ScalarAsync("SELECT count(*) FROM shards WHERE range_id = 2"));
    }

    [Fact]
    public async Task ShardCount_IsFixedAtFirstStart()
    {
        await using (var first = await PostgresPersistence.OpenAsync(_settings, migrate: false, Ct))
        {
            await using var leases = await JoinAsync(first, 4);
        }

        await using var second = await PostgresPersistence.OpenAsync(_settings, migrate: false, Ct);
        await using var refused = new ShardLeases(second.ShardLeases!, 8);
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => refused.JoinAsync(new NothingHeld(), NoAddress(), Ct));
        Assert.Contains("set up with 4 history shards", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoLiveProcesses_SplitTheShards_AndAGracefulStopHandsThemOverAtOnce()
    {
        var first = await PostgresPersistence.OpenAsync(_settings, migrate: false, Ct);
        var firstLeases = await JoinAsync(first, 4);
        Assert.Equal(4, firstLeases.OwnedShards.Count);
        await using var second = await PostgresPersistence.OpenAsync(_settings, migrate: false, Ct);
        await using var secondLeases = await JoinAsync(second, 4);

        // The first gives up the shards that fall to the newcomer (no lease has to run out), and each routes the
        // other's shards to the other's address.
        await WaitUntilAsync(() => firstLeases.OwnedShards.Count == 2 && secondLeases.OwnedShards.Count == 2
            && secondLeases.OwnedShards.All(s => firstLeases.Route(s).Kind == ShardRouteKind.Remote)
            && firstLeases.OwnedShards.All(s => secondLeases.Route(s).Kind == ShardRouteKind.Remote), "a 2/2 split");
        Assert.Empty(firstLeases.OwnedShards.Intersect(secondLeases.OwnedShards));
        foreach (var shard in secondLeases.OwnedShards)
        {
            Assert.Equal(ShardRouteKind.Remote, firstLeases.Route(shard).Kind);
            Assert.Equal(ShardRouteKind.Local, secondLeases.Route(shard).Kind);
        }
        Assert.Single(firstLeases.Peers);

        await firstLeases.DisposeAsync();
        await first.DisposeAsync();

        // Well before the 10 s lease would have run out.
        await WaitUntilAsync(() => secondLeases.OwnedShards.Count == 4, "the handover after a graceful stop", TimeSpan.FromSeconds(5));
        var after = NewRun("wf-after-handover");
        await second.Executions.WriteAsync(Create(after) with { Fence = secondLeases.Fence(after) }, Ct);
        Assert.Empty(secondLeases.Peers);
    }

    [Fact]
    public async Task RestartAtTheSameAddress_TakesTheDeadPredecessorsShardsAtOnce()
    {
        // A process at 10.1.2.3:7233 is killed (it never runs another round) and its successor comes up at the same
        // address: two live processes cannot listen there, so the successor does not wait for the leases to run out.
        await using var dead = await PostgresPersistence.OpenAsync(_settings, migrate: false, Ct);
        await using var deadLeases = await JoinAsync(dead, 4, tickEvery: TimeSpan.FromHours(1), address: "10.1.2.3:7233");
        Assert.Equal(4, deadLeases.OwnedShards.Count);
        var deadKey = NewRun("wf-dead");
        var deadFence = deadLeases.Fence(deadKey);

        await using var successor = await PostgresPersistence.OpenAsync(_settings, migrate: false, Ct);
        await using var leases = await JoinAsync(successor, 4, address: "10.1.2.3:7233");
        Assert.Equal([1, 2, 3, 4], leases.OwnedShards); // in its first round, seconds before a lease would expire
        await Assert.ThrowsAsync<ShardOwnershipLostException>(() => dead.Executions.WriteAsync(Create(deadKey) with { Fence = deadFence }, Ct));
        var successorKey = NewRun("wf-successor");
        await successor.Executions.WriteAsync(Create(successorKey) with { Fence = leases.Fence(successorKey) }, Ct);
    }

    /// <summary>
    /// Joins the cluster as a member of its own with a listener that holds nothing and, unless given, an address nobody
    /// dials (several of these in one process are distinct members).
    /// </summary>
    private async Task<ShardLeases> JoinAsync(PostgresPersistence store, int count, TimeSpan? tickEvery = null, string? address = null)
    {
        var leases = new ShardLeases(store.ShardLeases!, count, tickEvery: tickEvery);
        await leases.JoinAsync(new NothingHeld(), address ?? NoAddress(), Ct);
        return leases;
    }

    private static string NoAddress() => $"no-server-{Guid.NewGuid():N}:0";

    private sealed class NothingHeld : IShardListener
    {
        public void ShardsReleased(IReadOnlyCollection<int> shards)
        {
        }

        public Task ShardsAcquiredAsync(IReadOnlyCollection<int> shards, CancellationToken ct) => Task.CompletedTask;
    }

    private async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(30));
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(100, Ct);
        }
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(_settings.ConnectionString(_settings.Database));
        await conn.OpenAsync(Ct);
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync(Ct);
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(_settings.ConnectionString(_settings.Database));
        await conn.OpenAsync(Ct);
        await using var cmd = new NpgsqlCommand(sql, conn);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture);
    }
}
