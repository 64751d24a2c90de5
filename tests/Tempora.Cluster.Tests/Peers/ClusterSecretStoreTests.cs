using Tempora.Cluster.Peers;
using Tempora.Persistence.Postgres;
using Tempora.Persistence.Tests;

namespace Tempora.Cluster.Tests.Peers;

/// <summary>The generated cluster secret on PostgreSQL: replicas starting at once end up with the same one.</summary>
public sealed class ClusterSecretStoreTests : IAsyncLifetime
{
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromMinutes(1));
    private readonly PostgresSettings _settings = TestPostgres.NewSettings(singleDatabase: false);

    private CancellationToken Ct => _timeout.Token;

    public Task InitializeAsync() => PostgresSchema.SetupAsync(_settings, Ct);

    public async Task DisposeAsync()
    {
        await TestPostgres.DropDatabasesAsync(_settings);
        _timeout.Dispose();
    }

    [Fact]
    public async Task ReplicasStartingTogether_AgreeOnOneGeneratedSecret_AndKeepItAcrossRestarts()
    {
        var stores = new List<PostgresPersistence>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                stores.Add(await PostgresPersistence.OpenAsync(_settings, migrate: false, Ct));
            }
            var secrets = await Task.WhenAll(stores.Select(s => ClusterSecret.ResolveAsync(null, s.ShardLeases, Ct)));

            var first = secrets[0].Value;
            Assert.NotNull(first);
            Assert.Matches("^[0-9a-f]{64}$", first); // 256 random bits
            Assert.All(secrets, s => Assert.Equal(first, s.Value));

            await using var restarted = await PostgresPersistence.OpenAsync(_settings, migrate: false, Ct);
            Assert.Equal(first, (await ClusterSecret.ResolveAsync(null, restarted.ShardLeases, Ct)).Value);
        }
        finally
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task AConfiguredSecret_IsUsed_AndAProcessAloneHasNone()
    {
        await using var store = await PostgresPersistence.OpenAsync(_settings, migrate: false, Ct);

        Assert.Equal("configured-secret-0123456789", (await ClusterSecret.ResolveAsync("configured-secret-0123456789", store.ShardLeases, Ct)).Value);
        Assert.Null((await ClusterSecret.ResolveAsync(null, sharedStore: null, Ct)).Value);
    }
}
