using Google.Protobuf.WellKnownTypes;
using Tempora.Core;
using Tempora.Core.Errors;
using Temporalio.Api.Namespace.V1;
using static Tempora.Persistence.Tests.TestData;

namespace Tempora.Persistence.Tests;

/// <summary>What survives a restart, and how a database without the schema is refused.</summary>
public abstract partial class PersistenceContractTests
{
    [Fact]
    public async Task Data_SurvivesClosingAndReopeningTheStore()
    {
        var ns = new NamespaceRecord("ns-id", "durable", new NamespaceInfo { Name = "durable", Description = "kept" },
            new NamespaceConfig { WorkflowExecutionRetentionTtl = Duration.FromTimeSpan(TimeSpan.FromDays(2)) });
        await Store.Namespaces.CreateAsync(ns, Ct);
        var key = NewRun("wf-durable");
        var timer = Timer(7, T0.AddMinutes(5), key);
        var task = Matching(8, key, TaskKind.Activity, queue: "durable-q", scheduledEventId: 5, attempt: 2);
        var created = await CreateRunAsync(key, m => m with { NewHistory = [Batch(1, 2)] });
        var update = Update(key, 1, nextEventId: 6) with { NewHistory = [Batch(3, 5)], NewTimerTasks = [timer], NewMatchingTasks = [task] };
        await Executions.WriteAsync(update, Ct);

        await ReopenAsync();

        await AssertExecutionAsync(update, dbVersion: 2);
        Assert.Equal(created.Current, await Executions.GetCurrentExecutionAsync(key.NamespaceId, key.WorkflowId, Ct));
        AssertBatches(await ReadAllHistoryAsync(key), created.NewHistory[0], update.NewHistory[0]);
        AssertTimers(await TimersAsync(), timer);
        Assert.Equal(task, Assert.Single(await Executions.LoadMatchingTasksAsync(ShardSet.All, Ct)));
        await AssertTaskIdFloorAsync(8);
        Assert.Equal(ns, await Store.Namespaces.GetByNameAsync("durable", Ct));

        // The reopened store is fully usable: the version check still holds and writes go through.
        await Assert.ThrowsAsync<ExecutionConditionFailedException>(() => Executions.WriteAsync(Update(key, 1), Ct));
        var next = Update(key, 2, status: Completed) with { Current = CurrentFor(key, Completed), DeleteAllTasksOfRun = true };
        await Executions.WriteAsync(next, Ct);
        await AssertExecutionAsync(next, dbVersion: 3);
    }

    [Fact]
    public async Task OpenWithoutMigrate_OnADatabaseNeverSetUp_ThrowsSchemaVersionMismatch()
    {
        var e = await Assert.ThrowsAsync<SchemaVersionMismatchException>(OpenNeverSetUpStoreAsync);

        Assert.Contains("tempora schema setup", e.Message, StringComparison.Ordinal);
    }
}
