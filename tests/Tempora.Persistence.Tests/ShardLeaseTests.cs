using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Tempora.Persistence.Postgres;
using static Tempora.Persistence.Tests.TestData;

namespace Tempora.Persistence.Tests;

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
        // The first process stalls after taking the shards: it never renews (a long GC pause, a frozen VM).
        await using var first = await PostgresPersistence.OpenAsync(_settings, migrate: false, Ct);
        await first.AcquireShardsAsync(4, NullLogger.Instance, Ct, renewEvery: TimeSpan.FromHours(1));
        var created = Create(NewRun("wf-fenced"));
        await first.Executions.WriteAsync(created, Ct);

        // A second process cannot take the shards while the first one's leases are fresh.
        await using var second = await PostgresPersistence.OpenAsync(_settings, migrate: false, Ct);
        var standby = second.AcquireShardsAsync(4, NullLogger.Instance, Ct);
        await Task.Delay(TimeSpan.FromSeconds(2), Ct);
        Assert.False(standby.IsCompleted);

        // Its leases run out, and the standby takes over.
        await ExecuteAsync("UPDATE shards SET lease_expires_at = now() - interval '1 second'");
        await standby.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        // The old owner's write is refused by the fencing token and leaves no trace.
        var stale = Update(created.Key, expectedDbVersion: 1) with { NewHistory = [Batch(3, 4)] };
        await Assert.ThrowsAsync<ShardOwnershipLostException>(() => first.Executions.WriteAsync(stale, Ct));
        Assert.Equal(1, (await second.Executions.GetExecutionAsync(created.Key, Ct))!.DbVersion);
        Assert.Empty(await second.Executions.ReadHistoryAsync(created.Key, 3, 10, Ct));

        // The new owner writes the same transition.
        await second.Executions.WriteAsync(stale, Ct);
        Assert.Equal(2, (await second.Executions.GetExecutionAsync(created.Key, Ct))!.DbVersion);
        Assert.Single(await second.Executions.ReadHistoryAsync(created.Key, 3, 10, Ct));
        Assert.Equal(4, await ScalarAsync("SELECT count(*) FROM shards WHERE range_id = 2"));
    }

    [Fact]
    public async Task ShardCount_IsFixedAtFirstStart()
    {
        await using (var first = await PostgresPersistence.OpenAsync(_settings, migrate: false, Ct))
        {
            await first.AcquireShardsAsync(4, NullLogger.Instance, Ct);
        }

        await using var second = await PostgresPersistence.OpenAsync(_settings, migrate: false, Ct);
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => second.AcquireShardsAsync(8, NullLogger.Instance, Ct));
        Assert.Contains("set up with 4 history shards", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GracefulStop_GivesTheLeasesUp_SoAStandbyTakesOverAtOnce()
    {
        var first = await PostgresPersistence.OpenAsync(_settings, migrate: false, Ct);
        await first.AcquireShardsAsync(2, NullLogger.Instance, Ct);
        await using var second = await PostgresPersistence.OpenAsync(_settings, migrate: false, Ct);
        var standby = second.AcquireShardsAsync(2, NullLogger.Instance, Ct);

        await first.DisposeAsync();

        await standby.WaitAsync(TimeSpan.FromSeconds(5), Ct); // well before the 10 s lease would have run out
        await second.Executions.WriteAsync(Create(NewRun("wf-after-handover")), Ct);
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
