using Tempora.Persistence.Batches;
using static Tempora.Persistence.Tests.TestData;

namespace Tempora.Persistence.Tests;

/// <summary>Batch operations: conditional writes with their items, lists newest first, running ones by shard, expiry.</summary>
public abstract partial class PersistenceContractTests
{
    /// <summary>The schema version that added the batch tables (SQLite 5, PostgreSQL 9).</summary>
    protected abstract int BatchesSchemaVersion { get; }

    private IBatchStore Batches => Store.Batches;

    private static BatchRecord BatchRow(string jobId, long version, int state = BatchRecord.Running, int shardId = 1,
        DateTimeOffset? start = null, DateTimeOffset? expire = null, string ns = NamespaceId) =>
        new(ns, jobId, shardId, version, state, start ?? T0, expire, RandomBytes(40));

    private static void AssertBatch(BatchRecord expected, BatchRecord? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal((expected.NamespaceId, expected.JobId, expected.ShardId, expected.Version, expected.State, expected.StartTime, expected.ExpireTime),
            (actual.NamespaceId, actual.JobId, actual.ShardId, actual.Version, actual.State, actual.StartTime, actual.ExpireTime));
        Assert.Equal(expected.Data, actual.Data);
    }

    [Fact]
    public async Task Batch_CreatedWithItems_IsReadBackAfterARestart_AndASecondCreateFailsAndChangesNothing()
    {
        var created = BatchRow("job-create", 1);
        BatchItem[] items = [new(0, "wf-a", "run-a", BatchItem.Pending, null), new(1, "wf-b", "", BatchItem.Pending, null)];

        await Batches.WriteAsync(new BatchWrite(0, created, items), Ct);

        var duplicate = await Assert.ThrowsAsync<BatchConditionFailedException>(() =>
            Batches.WriteAsync(new BatchWrite(0, BatchRow("job-create", 1, shardId: 2), [new(5, "wf-x", "", 0, null)]), Ct));
        Assert.Equal((NamespaceId, "job-create", 0L), (duplicate.NamespaceId, duplicate.JobId, duplicate.ExpectedVersion));
        await ReopenAsync();
        AssertBatch(created, await Batches.GetAsync(NamespaceId, "job-create", Ct));
        Assert.Null(await Batches.GetAsync("other-ns", "job-create", Ct));
        Assert.Equal(items, await Batches.GetItemsAsync(NamespaceId, "job-create", 0, 10, Ct));
    }

    [Fact]
    public async Task Batch_Update_WinsOnlyAtTheVersionItRead_AndReplacesItsItems()
    {
        await Batches.WriteAsync(new BatchWrite(0, BatchRow("job-update", 1),
            [.. Enumerable.Range(0, 5).Select(i => new BatchItem(i, $"wf-{i}", $"run-{i}", BatchItem.Pending, null))]), Ct);
        var second = BatchRow("job-update", 2);

        await Batches.WriteAsync(new BatchWrite(1, second, [new(1, "wf-1", "run-1", BatchItem.Failed, "NotFound: gone")]), Ct);

        foreach (var stale in new[] { 1L, 5L })
        {
            await Assert.ThrowsAsync<BatchConditionFailedException>(() => Batches.WriteAsync(
                new BatchWrite(stale, BatchRow("job-update", stale + 1), [new(2, "wf-2", "run-2", BatchItem.Done, null)]), Ct));
        }
        AssertBatch(second, await Batches.GetAsync(NamespaceId, "job-update", Ct));
        var items = await Batches.GetItemsAsync(NamespaceId, "job-update", 1, 3, Ct);
        Assert.Equal([1L, 2L, 3L], items.Select(i => i.Seq));
        Assert.Equal((BatchItem.Failed, "NotFound: gone"), (items[0].Outcome, items[0].Message));
        Assert.Equal(BatchItem.Pending, items[1].Outcome); // the losing write's item was not kept
    }

    [Fact]
    public async Task Batches_ListNewestFirstInPages_CountAndLoadOnlyRunning_ByShard()
    {
        await Batches.WriteAsync(new BatchWrite(0, BatchRow("job-old", 1, state: 2, shardId: 1, start: T0), []), Ct);
        await Batches.WriteAsync(new BatchWrite(0, BatchRow("job-b", 1, shardId: 2, start: T0.AddMinutes(1)), []), Ct);
        await Batches.WriteAsync(new BatchWrite(0, BatchRow("job-a", 1, shardId: 3, start: T0.AddMinutes(1)), []), Ct);
        await Batches.WriteAsync(new BatchWrite(0, BatchRow("job-other", 1, shardId: 2, ns: "other-ns"), []), Ct);

        var first = await Batches.ListAsync(NamespaceId, 2, null, Ct);
        Assert.Equal(["job-a", "job-b"], first.Select(b => b.JobId));
        var rest = await Batches.ListAsync(NamespaceId, 2, new BatchListPosition(first[1].StartTime, first[1].JobId), Ct);
        Assert.Equal(["job-old"], rest.Select(b => b.JobId));
        Assert.Equal(2, await Batches.CountRunningAsync(NamespaceId, Ct));
        Assert.Equal(["job-a", "job-b", "job-other"], (await Batches.LoadRunningAsync(ShardSet.All, Ct)).Select(b => b.JobId).Order(StringComparer.Ordinal));
        Assert.Equal(["job-b", "job-other"], (await Batches.LoadRunningAsync(ShardSet.Of([2]), Ct)).Select(b => b.JobId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Batches_Expired_AreDeletedWithTheirItems_OnlyOnTheGivenShards()
    {
        await Batches.WriteAsync(new BatchWrite(0, BatchRow("job-expired", 1, state: 2, shardId: 1, expire: T0), [new(0, "wf", "run", 1, null)]), Ct);
        await Batches.WriteAsync(new BatchWrite(0, BatchRow("job-later", 1, state: 2, shardId: 1, expire: T0.AddDays(1)), []), Ct);
        await Batches.WriteAsync(new BatchWrite(0, BatchRow("job-elsewhere", 1, state: 3, shardId: 2, expire: T0), []), Ct);
        await Batches.WriteAsync(new BatchWrite(0, BatchRow("job-running", 1, shardId: 1), []), Ct);

        Assert.Equal(1, await Batches.DeleteExpiredAsync(ShardSet.Of([1]), T0.AddHours(1), Ct));

        Assert.Null(await Batches.GetAsync(NamespaceId, "job-expired", Ct));
        Assert.Empty(await Batches.GetItemsAsync(NamespaceId, "job-expired", 0, 10, Ct));
        Assert.NotNull(await Batches.GetAsync(NamespaceId, "job-later", Ct));
        Assert.NotNull(await Batches.GetAsync(NamespaceId, "job-elsewhere", Ct));
        Assert.NotNull(await Batches.GetAsync(NamespaceId, "job-running", Ct));
        Assert.Equal(1, await Batches.DeleteExpiredAsync(ShardSet.All, T0.AddHours(1), Ct));
    }

    [Fact]
    public async Task BatchTables_AreAddedByTheMigration_FromThePreviousSchemaVersion()
    {
        var current = Store;
        Store = null!;
        await current.DisposeAsync();
        await ExecuteOnMainDatabaseAsync(
            $"{DropTaskVersions} DROP TABLE IF EXISTS worker_deployment_task_queues; DROP TABLE IF EXISTS worker_deployment_versions; DROP TABLE IF EXISTS worker_deployments; DROP TABLE IF EXISTS nexus_endpoints; DROP TABLE IF EXISTS cluster_secrets; DROP TABLE batch_items; DROP TABLE batches; ALTER TABLE namespaces DROP COLUMN delete_time; DELETE FROM schema_version WHERE version >= {BatchesSchemaVersion};");

        var refused = await Assert.ThrowsAsync<SchemaVersionMismatchException>(() => OpenStoreAsync(migrate: false));
        Assert.Contains($"schema version {BatchesSchemaVersion - 1}", refused.Message, StringComparison.Ordinal);
        Store = await OpenStoreAsync(migrate: true);

        var created = BatchRow("job-after-migration", 1);
        await Batches.WriteAsync(new BatchWrite(0, created, [new(0, "wf", "run", BatchItem.Pending, null)]), Ct);
        AssertBatch(created, await Batches.GetAsync(NamespaceId, "job-after-migration", Ct));
        await ReopenAsync(); // at the latest version now: opens without migrating
    }
}
