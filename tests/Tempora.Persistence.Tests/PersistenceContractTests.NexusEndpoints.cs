using Tempora.Persistence.Nexus;
using static Tempora.Persistence.Tests.TestData;

namespace Tempora.Persistence.Tests;

/// <summary>The Nexus endpoint registry: unique names, writes conditional on the version read, lists in id order.</summary>
public abstract partial class PersistenceContractTests
{
    /// <summary>The schema version that added the nexus_endpoints table (SQLite 7, PostgreSQL 12).</summary>
    protected abstract int NexusEndpointsSchemaVersion { get; }

    private INexusEndpointStore Endpoints => Store.NexusEndpoints;

    private static NexusEndpointRecord Endpoint(string name, long version = 1, NexusEndpointTarget? target = null, string? id = null,
        byte[]? description = null, DateTimeOffset? modified = null) =>
        new(id ?? Guid.NewGuid().ToString(), version, name, target ?? NexusEndpointTarget.Worker(NamespaceId, "tq-nexus"), description, T0, modified);

    private static void AssertEndpoint(NexusEndpointRecord expected, NexusEndpointRecord? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal((expected.Id, expected.Version, expected.Name, expected.Target, expected.CreatedTime, expected.LastModifiedTime),
            (actual.Id, actual.Version, actual.Name, actual.Target, actual.CreatedTime, actual.LastModifiedTime));
        Assert.Equal(expected.Description, actual.Description);
    }

    [Fact]
    public async Task NexusEndpoint_Created_IsReadBackByIdAndNameAfterARestart_AndItsNameCannotBeTakenAgain()
    {
        var worker = Endpoint("ep-worker", description: RandomBytes(30));
        var external = Endpoint("ep-external", target: NexusEndpointTarget.External("https://example.com/nexus"));
        await Endpoints.CreateAsync(worker, Ct);
        await Endpoints.CreateAsync(external, Ct);

        var taken = await Assert.ThrowsAsync<NexusEndpointNameTakenException>(() => Endpoints.CreateAsync(Endpoint("ep-worker"), Ct));
        Assert.Equal("ep-worker", taken.Name);
        await ReopenAsync();

        AssertEndpoint(worker, await Endpoints.GetAsync(worker.Id, Ct));
        AssertEndpoint(external, await Endpoints.GetByNameAsync("ep-external", Ct));
        Assert.Null(await Endpoints.GetAsync(Guid.NewGuid().ToString(), Ct));
        Assert.Null(await Endpoints.GetByNameAsync("EP-WORKER", Ct)); // names are case-sensitive, as Temporal's map keys
        Assert.Equal(2, (await Endpoints.ListAsync(null, 10, Ct)).Count);
    }

    [Fact]
    public async Task NexusEndpoint_Update_WinsOnlyAtTheVersionItRead_KeepsItsCreatedTime_AndCannotTakeAnothersName()
    {
        var endpoint = Endpoint("ep-update");
        await Endpoints.CreateAsync(endpoint, Ct);
        await Endpoints.CreateAsync(Endpoint("ep-other"), Ct);
        var renamed = endpoint with
        {
            Version = 2,
            Name = "ep-renamed",
            Target = NexusEndpointTarget.External("http://localhost:1/x"),
            Description = RandomBytes(8),
            CreatedTime = DateTimeOffset.UnixEpoch,
            LastModifiedTime = T0.AddMinutes(1),
        };

        var stored = await Endpoints.UpdateAsync(renamed, 1, Ct);

        AssertEndpoint(renamed with { CreatedTime = T0 }, stored);
        AssertEndpoint(stored, await Endpoints.GetAsync(endpoint.Id, Ct));
        Assert.Null(await Endpoints.GetByNameAsync("ep-update", Ct));
        var stale = await Assert.ThrowsAsync<NexusEndpointConditionFailedException>(() => Endpoints.UpdateAsync(renamed, 1, Ct));
        Assert.Equal((endpoint.Id, 1L, (long?)2), (stale.Id, stale.ExpectedVersion, stale.CurrentVersion));
        var missing = await Assert.ThrowsAsync<NexusEndpointConditionFailedException>(() =>
            Endpoints.UpdateAsync(Endpoint("ep-missing", version: 2), 1, Ct));
        Assert.Null(missing.CurrentVersion);
        var taken = await Assert.ThrowsAsync<NexusEndpointNameTakenException>(() =>
            Endpoints.UpdateAsync(stored with { Version = 3, Name = "ep-other" }, 2, Ct));
        Assert.Equal("ep-other", taken.Name);
        AssertEndpoint(stored, await Endpoints.GetAsync(endpoint.Id, Ct)); // the refused writes changed nothing
    }

    [Fact]
    public async Task NexusEndpoint_ConcurrentUpdatesAtOneVersion_OneWins_TheOtherFindsTheNewVersion()
    {
        var endpoint = Endpoint("ep-race");
        await Endpoints.CreateAsync(endpoint, Ct);

        var attempts = Enumerable.Range(0, 8)
            .Select(i => Endpoints.UpdateAsync(endpoint with { Version = 2, Name = $"ep-race-{i}", LastModifiedTime = T0 }, 1, Ct))
            .ToList();
        var outcomes = await Task.WhenAll(attempts.Select(async t =>
        {
            try
            {
                return (await t).Name;
            }
            catch (NexusEndpointConditionFailedException e)
            {
                Assert.Equal(2, e.CurrentVersion);
                return null;
            }
        }));

        var winner = Assert.Single(outcomes, o => o is not null);
        var stored = await Endpoints.GetAsync(endpoint.Id, Ct);
        Assert.Equal((2L, winner), (stored!.Version, stored.Name));
    }

    [Fact]
    public async Task NexusEndpoint_Delete_WinsOnlyAtTheVersionItRead()
    {
        var endpoint = Endpoint("ep-delete");
        await Endpoints.CreateAsync(endpoint, Ct);

        var stale = await Assert.ThrowsAsync<NexusEndpointConditionFailedException>(() => Endpoints.DeleteAsync(endpoint.Id, 2, Ct));
        Assert.Equal(1, stale.CurrentVersion);
        await Endpoints.DeleteAsync(endpoint.Id, 1, Ct);

        Assert.Null(await Endpoints.GetAsync(endpoint.Id, Ct));
        var gone = await Assert.ThrowsAsync<NexusEndpointConditionFailedException>(() => Endpoints.DeleteAsync(endpoint.Id, 1, Ct));
        Assert.Null(gone.CurrentVersion);
        await Endpoints.CreateAsync(Endpoint("ep-delete"), Ct); // the name is free again
    }

    [Fact]
    public async Task NexusEndpoints_ListInIdOrderInPages_AndTheTargetOfANamespaceIsFound()
    {
        var ids = Enumerable.Range(0, 5).Select(_ => Guid.NewGuid().ToString()).Order(StringComparer.Ordinal).ToList();
        for (var i = 0; i < ids.Count; i++)
        {
            var target = i == 3 ? NexusEndpointTarget.Worker("ns-targeted", "tq") : NexusEndpointTarget.External("https://example.com");
            await Endpoints.CreateAsync(Endpoint($"ep-list-{4 - i}", id: ids[i], target: target), Ct);
        }

        var first = await Endpoints.ListAsync(null, 2, Ct);
        var second = await Endpoints.ListAsync(first[^1].Id, 2, Ct);
        var last = await Endpoints.ListAsync(second[^1].Id, 2, Ct);

        Assert.Equal(ids, first.Concat(second).Concat(last).Select(e => e.Id));
        Assert.Equal(ids[3], (await Endpoints.FindTargetingAsync("ns-targeted", Ct))?.Id);
        Assert.Null(await Endpoints.FindTargetingAsync(NamespaceId, Ct));
    }

    [Fact]
    public async Task NexusEndpointsTable_IsAddedByTheMigration_FromThePreviousSchemaVersion()
    {
        var current = Store;
        Store = null!;
        await current.DisposeAsync();
        await ExecuteOnMainDatabaseAsync($"{DropTaskVersions} DROP TABLE IF EXISTS worker_deployment_task_queues; DROP TABLE IF EXISTS worker_deployment_versions; DROP TABLE IF EXISTS worker_deployments; DROP TABLE nexus_endpoints; DELETE FROM schema_version WHERE version >= {NexusEndpointsSchemaVersion};");

        var refused = await Assert.ThrowsAsync<SchemaVersionMismatchException>(() => OpenStoreAsync(migrate: false));
        Assert.Contains($"schema version {NexusEndpointsSchemaVersion - 1}", refused.Message, StringComparison.Ordinal);
        Store = await OpenStoreAsync(migrate: true);

        var created = Endpoint("ep-after-migration");
        await Endpoints.CreateAsync(created, Ct);
        AssertEndpoint(created, await Endpoints.GetAsync(created.Id, Ct));
        await ReopenAsync(); // at the latest version now: opens without migrating
    }
}
