using Tempora.Server;

namespace Tempora.EndToEnd.Tests.Archival;

/// <summary>
/// Archival on a cluster: two replicas on one PostgreSQL database each archive and delete the runs of their own
/// shards; a client of the first reads every archived history (forwarded to the owner, which answers from the
/// archive) and lists them all.
/// </summary>
[Collection(nameof(ArchivalClusterTests))]
[Trait("Store", "PostgresOnly")]
public sealed class ArchivalClusterTests : IDisposable
{
    private readonly TestDatabase _database = new("archival_cluster", postgres: true);
    private readonly string _archive = Path.Combine(Path.GetTempPath(), $"tempora-archive-{Guid.NewGuid():N}");

    public void Dispose()
    {
        _database.Dispose();
        if (Directory.Exists(_archive))
        {
            Directory.Delete(_archive, recursive: true);
        }
    }

    [Fact]
    public async Task TwoReplicas_EachArchivesItsShardsRuns_AllReadThroughEither()
    {
        await using var first = await ArchivalTestHelpers.StartAsync(_database, "archival-cluster-1");
        await using var second = await ArchivalTestHelpers.StartAsync(_database, "archival-cluster-2");
        await Wait.UntilAsync(() => Task.FromResult((first.OwnedShards.Count, second.OwnedShards.Count)), c => c == (2, 2), "a 2/2 split");
        await ArchivalTestHelpers.RegisterAsync(first, "archived-cluster", "file://" + _archive);
        var client = await ServerFixture.ConnectAsync(first, "archived-cluster");

        var runs = new List<(Temporalio.Client.WorkflowHandle Handle, Temporalio.Common.WorkflowHistory History)>();
        for (var i = 0; i < 6; i++)
        {
            runs.Add(await ArchivalTestHelpers.RunOneAsync(client, $"cluster-wf-{i}"));
        }
        foreach (var (handle, stored) in runs)
        {
            await Wait.UntilAsync(() => ArchivalTestHelpers.GoneAsync(handle), gone => gone, $"{handle.Id} to be archived and deleted");
            var archived = await ArchivalTestHelpers.ArchivedEventsAsync(client, handle);
            Assert.Equal(stored.Events.Select(e => e.ToString()), archived.Select(e => e.ToString()));
        }
        var listed = await ArchivalTestHelpers.ArchivedIdsAsync(await ServerFixture.ConnectAsync(second, "archived-cluster"), "WorkflowTypeName = 'ArchivedWorkflow'");
        Assert.Equal(runs.Select(r => r.Handle.Id).Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
    }
}
