using Tempora.Core;
using Tempora.Core.Versioning;
using static Tempora.Persistence.Tests.TestData;

namespace Tempora.Persistence.Tests;

/// <summary>The pinned version of backlog task rows (issue 26), added by a migration of its own.</summary>
public abstract partial class PersistenceContractTests
{
    /// <summary>What the older migration tests run first: they re-apply every later migration, this one included.</summary>
    private const string DropTaskVersions = "ALTER TABLE tasks DROP COLUMN pinned_version;";

    protected abstract int TaskVersionsSchemaVersion { get; }

    [Fact]
    public async Task TaskVersionColumn_IsAddedByTheMigration_FromThePreviousSchemaVersion_OldRowsUnpinned()
    {
        var key = (await CreateRunAsync(NewRun("wf-task-version-migration"), m => m with { NewHistory = [Batch(1, 2)] })).Key;
        await Executions.WriteAsync(Update(key, expectedDbVersion: 1, nextEventId: 5) with { NewHistory = [Batch(3, 4)], NewMatchingTasks = [Matching(2, key, TaskKind.Workflow)] }, Ct);
        var current = Store;
        Store = null!;
        await current.DisposeAsync();
        await ExecuteOnMainDatabaseAsync($"{DropTaskVersions} DELETE FROM schema_version WHERE version >= {TaskVersionsSchemaVersion};");

        var refused = await Assert.ThrowsAsync<SchemaVersionMismatchException>(() => OpenStoreAsync(migrate: false));
        Assert.Contains($"schema version {TaskVersionsSchemaVersion - 1}", refused.Message, StringComparison.Ordinal);
        Store = await OpenStoreAsync(migrate: true);

        var old = Assert.Single(await Executions.LoadMatchingTasksAsync(ShardSet.All, Ct), t => t.RunId == key.RunId);
        Assert.Null(old.PinnedTo);
        var pinned = Matching(3, key, TaskKind.Workflow) with { PinnedTo = new DeploymentVersion("orders", "b1") };
        await Executions.WriteAsync(Update(key, expectedDbVersion: 2, nextEventId: 6) with { NewHistory = [Batch(5, 5)], NewMatchingTasks = [pinned] }, Ct);
        Assert.Contains(pinned, await Executions.LoadMatchingTasksAsync(ShardSet.All, Ct));
    }
}
