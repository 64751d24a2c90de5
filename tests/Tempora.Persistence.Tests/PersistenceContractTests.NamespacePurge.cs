using Tempora.Core;
using Tempora.Persistence.Schedules;
using Temporalio.Api.Enums.V1;
using static Tempora.Persistence.Tests.TestData;

namespace Tempora.Persistence.Tests;

/// <summary>Deleting a namespace: the purge of its rows, in batches, and of its own row last.</summary>
public abstract partial class PersistenceContractTests
{
    /// <summary>A run of <paramref name="namespaceId"/> with a row in every table a run can have rows in.</summary>
    private async Task<WorkflowKey> WriteFullRunAsync(string namespaceId, string workflowId, long firstTaskId)
    {
        var key = new WorkflowKey(namespaceId, workflowId, Guid.NewGuid().ToString());
        await Executions.WriteAsync(Create(key) with
        {
            NewHistory = [Batch(1, 3)],
            NewTimerTasks = [Timer(firstTaskId, T0, key)],
            NewMatchingTasks = [Matching(firstTaskId + 1, key, TaskKind.Workflow)],
            NewTransferTasks = [Transfer(firstTaskId + 2, key)],
            Visibility = Row(key, 1),
        }, Ct);
        return key;
    }

    [Fact]
    public async Task Namespace_Purge_DeletesEveryRowOfIt_InBatches_AndNothingOfAnother()
    {
        var doomed = Namespace("doomed", TimeSpan.FromDays(1));
        await Store.Namespaces.CreateAsync(doomed, Ct);
        var runs = new List<WorkflowKey>();
        for (var i = 0; i < 5; i++)
        {
            runs.Add(await WriteFullRunAsync(doomed.Id, $"wf-doomed-{i}", 1000 + (i * 10)));
        }
        await Store.Schedules.WriteAsync(new ScheduleWrite(doomed.Id, "sched-doomed", 0,
            new ScheduleRecord(doomed.Id, "sched-doomed", 1, 1, T0, RandomBytes(16)), null), Ct);
        var kept = await WriteFullRunAsync(NamespaceId, "wf-kept", 2000);
        Assert.Single((await Store.Visibility.ListAsync(doomed.Id, Query(""), 1, null, Ct)).Records);

        // Batches of 2 over 5 runs: several batches a table, the last one partial.
        var purged = await Store.Namespaces.PurgeAsync(doomed.Id, batchSize: 2, Ct);

        Assert.True(purged >= (runs.Count * 7) + 1, $"{purged} rows purged");
        foreach (var key in runs)
        {
            await AssertNothingOfRunAsync(key);
            Assert.Null(await Executions.GetCurrentExecutionAsync(key.NamespaceId, key.WorkflowId, Ct));
        }
        Assert.DoesNotContain(await Executions.LoadTransferTasksAsync(ShardSet.All, Ct), t => t.Key.NamespaceId == doomed.Id);
        Assert.Null(await Store.Schedules.GetAsync(doomed.Id, "sched-doomed", Ct));
        Assert.Empty((await Store.Visibility.ListAsync(doomed.Id, Query(""), 100, null, Ct)).Records);
        Assert.NotNull(await Store.Namespaces.GetByIdAsync(doomed.Id, Ct)); // its own row goes last, separately
        Assert.Equal(0, await Store.Namespaces.PurgeAsync(doomed.Id, 2, Ct));

        Assert.NotNull(await Executions.GetExecutionAsync(kept, Ct));
        Assert.Single(await ReadAllHistoryAsync(kept));
        Assert.Contains(await TimersAsync(), t => t.Key == kept);
        Assert.Contains(await Executions.LoadMatchingTasksAsync(ShardSet.All, Ct), t => t.RunId == kept.RunId);
        Assert.Contains(await Executions.LoadTransferTasksAsync(ShardSet.All, Ct), t => t.Key == kept);
        Assert.Single((await Store.Visibility.ListAsync(NamespaceId, Query(""), 100, null, Ct)).Records);

        await Store.Namespaces.DeleteAsync(doomed.Id, Ct);
        Assert.Null(await Store.Namespaces.GetByIdAsync(doomed.Id, Ct));
        await Store.Namespaces.DeleteAsync(doomed.Id, Ct); // gone already: nothing
    }

    [Fact]
    public async Task Namespace_MarkedDeleted_KeepsItsNewNameAndDeleteTime_AndFreesTheOldName()
    {
        var ns = Namespace("renamed", TimeSpan.FromDays(1));
        await Store.Namespaces.CreateAsync(ns, Ct);
        var info = ns.Info.Clone();
        info.Name = "renamed-deleted-abcde";
        info.State = NamespaceState.Deleted;
        var deleted = ns with { Name = info.Name, Info = info, DeleteTime = T0 };

        await Store.Namespaces.UpdateAsync(deleted, Ct);
        await ReopenAsync();

        Assert.Equal(deleted, await Store.Namespaces.GetByIdAsync(ns.Id, Ct));
        Assert.Equal(T0, (await Store.Namespaces.GetByNameAsync("renamed-deleted-abcde", Ct))!.DeleteTime);
        Assert.Null(await Store.Namespaces.GetByNameAsync("renamed", Ct));
        var again = Namespace("renamed", TimeSpan.FromDays(1));
        await Store.Namespaces.CreateAsync(again, Ct);
        Assert.Null((await Store.Namespaces.GetByNameAsync("renamed", Ct))!.DeleteTime);
    }
}
