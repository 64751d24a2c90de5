using System.Text;
using Tempora.Core;
using static Tempora.Persistence.Tests.TestData;

namespace Tempora.Persistence.Tests;

/// <summary>Task rows by shard, transfer tasks, and the carry-over of rows written before task rows had a shard.</summary>
public abstract partial class PersistenceContractTests
{
    private const int ShardCount = 4;

    /// <summary>Recreates this test's database at the schema version before task rows had a shard (SQLite 2,
    /// PostgreSQL 6) holding <paramref name="timers"/> and <paramref name="tasks"/> as that version wrote them.</summary>
    protected abstract Task CreateAtPreviousTaskSchemaAsync(IReadOnlyList<TimerTaskRecord> timers, IReadOnlyList<MatchingTask> tasks);

    [Fact]
    public async Task TaskLoads_OfAShardSet_ReadOnlyTheRowsOfThoseShards()
    {
        var runs = new[] { NewRun("wf-shard-1"), NewRun("wf-shard-2"), NewRun("wf-shard-3") };
        for (var i = 0; i < runs.Length; i++)
        {
            var run = runs[i];
            var id = 10 * (i + 1);
            await CreateRunAsync(run, m => m with
            {
                Fence = new ShardFence(i + 1, ShardFence.Unleased),
                NewTimerTasks = [Timer(id, T0, run)],
                NewTransferTasks = [Transfer(id + 1, run)],
                NewMatchingTasks = [Matching(id + 2, run, TaskKind.Workflow)],
            });
        }

        var some = ShardSet.Of([3, 1, 3]);
        Assert.Equal(new long[] { 10, 30 }, (await TimersAsync(1, 3)).Select(t => t.TaskId));
        Assert.Equal(new long[] { 11, 31 }, (await Executions.LoadTransferTasksAsync(some, Ct)).Select(t => t.TaskId));
        Assert.Equal(new long[] { 12, 32 }, (await Executions.LoadMatchingTasksAsync(some, Ct)).Select(t => t.TaskId));
        Assert.Empty(await Executions.LoadTransferTasksAsync(ShardSet.Of([4]), Ct));
        Assert.Equal(new long[] { 11, 21, 31 }, (await Executions.LoadTransferTasksAsync(ShardSet.All, Ct)).Select(t => t.TaskId));
    }

    [Fact]
    public async Task TimerPage_OfAShard_ReadsAfterTheCursorBeforeTheBound_InFireTimeThenTaskIdOrder()
    {
        var run = NewRun("wf-timer-page");
        var other = NewRun("wf-timer-page-other");
        // Task ids out of time order, two timers at one time, and a timer of another shard at the same times.
        var first = Timer(5, T0.AddSeconds(1), run);
        await CreateRunAsync(run, m => m with
        {
            Fence = new ShardFence(2, ShardFence.Unleased),
            NewTimerTasks = [first, Timer(3, T0.AddSeconds(2), run), Timer(4, T0.AddSeconds(2), run),
                Timer(1, T0.AddSeconds(3), run), Timer(2, T0.AddSeconds(10), run)],
        });
        await CreateRunAsync(other, m => m with { Fence = new ShardFence(3, ShardFence.Unleased), NewTimerTasks = [Timer(9, T0.AddSeconds(2), other)] });

        async Task<long[]> PageAsync(TimerCursor after, DateTimeOffset before, int limit) =>
            [.. (await Executions.LoadTimerPageAsync(2, after, before, limit, Ct)).Select(t => t.TaskId)];

        Assert.Equal(new long[] { 5, 3 }, await PageAsync(TimerCursor.Start, T0.AddMinutes(1), 2));
        Assert.Equal(new long[] { 4, 1 }, await PageAsync(new TimerCursor(T0.AddSeconds(2), 3), T0.AddMinutes(1), 2));
        Assert.Equal(new long[] { 1 }, await PageAsync(new TimerCursor(T0.AddSeconds(2), 4), T0.AddSeconds(10), 100)); // the bound is exclusive
        Assert.Equal(new long[] { 3, 4, 1, 2 }, await PageAsync(new TimerCursor(T0.AddSeconds(2), 0), T0.AddMinutes(1), 100));
        AssertTimers(await Executions.LoadTimerPageAsync(2, TimerCursor.Start, T0.AddSeconds(2), 10, Ct), first);
    }

    [Fact]
    public async Task TransferTasks_RoundTrip_AndAreDeletedByMutation_ById_WithTheirRun()
    {
        var a = NewRun("wf-transfer-a");
        var b = NewRun("wf-transfer-b");
        var t1 = Transfer(1, a);
        await CreateRunAsync(a, m => m with { NewTransferTasks = [Transfer(3, a), t1, Transfer(2, a)] });
        await CreateRunAsync(b, m => m with { NewTransferTasks = [Transfer(7, b)] });

        var loaded = await Executions.LoadTransferTasksAsync(ShardSet.All, Ct);
        Assert.Equal(new long[] { 1, 2, 3, 7 }, loaded.Select(t => t.TaskId));
        Assert.Equal(t1.Key, loaded[0].Key);
        Assert.Equal(t1.Data, loaded[0].Data);
        await AssertTaskIdFloorAsync(7);

        await Executions.WriteAsync(Update(a, 1) with { DeletedTransferTasks = [2, 999] }, Ct);
        await AssertTransferIdsAsync(1, 3, 7);

        await Executions.DeleteTransferTasksAsync([7], Ct);
        await Executions.DeleteTransferTasksAsync([], Ct);
        await AssertTransferIdsAsync(1, 3);

        // A closing transition drops the run's pending transfer tasks and keeps those it adds (notify the parent).
        await Executions.WriteAsync(Update(a, 2) with { DeleteAllTasksOfRun = true, NewTransferTasks = [Transfer(9, a)] }, Ct);
        await AssertTransferIdsAsync(9);

        await Executions.DeleteExecutionAsync(a, TestData.NoLease, Ct);
        await AssertTransferIdsAsync();
    }

    [Fact]
    public async Task LegacyTaskRows_AfterTheUpgrade_CarryTheirShard_AndTransferTimersMoveToTransferTasks()
    {
        // Workflow ids on two different shards, so that a per-shard load tells them apart.
        var a = NewRun("wf-legacy-a");
        var b = Enumerable.Range(0, 100).Select(i => NewRun($"wf-legacy-b{i}"))
            .First(k => Shards.Of(k.NamespaceId, k.WorkflowId, ShardCount) != Shards.Of(a.NamespaceId, a.WorkflowId, ShardCount));
        var (shardA, shardB) = (Shards.Of(a.NamespaceId, a.WorkflowId, ShardCount), Shards.Of(b.NamespaceId, b.WorkflowId, ShardCount));
        var userTimer = Timer(1, T0, a);
        var transferTimer = Timer(2, T0.AddSeconds(-1), b);
        var workflowTask = Matching(3, a, TaskKind.Workflow);
        var activityTask = Matching(4, b, TaskKind.Activity);
        var current = Store;
        Store = null!;
        await current.DisposeAsync();
        await CreateAtPreviousTaskSchemaAsync([userTimer, transferTimer], [workflowTask, activityTask]);
        Store = await OpenStoreAsync(migrate: true);

        var moved = Encoding.UTF8.GetBytes("as a transfer task");
        byte[]? TransferOf(byte[] data) => data.SequenceEqual(transferTimer.Data) ? moved : null;
        Assert.Equal(4, await Executions.UpgradeLegacyTasksAsync(ShardCount, TransferOf, Ct));
        Assert.Equal(0, await Executions.UpgradeLegacyTasksAsync(ShardCount, TransferOf, Ct)); // once only

        AssertTimers(await TimersAsync(shardA), userTimer);
        Assert.Empty(await TimersAsync(shardB));
        var transfer = Assert.Single(await Executions.LoadTransferTasksAsync(ShardSet.Of([shardB]), Ct));
        Assert.Equal((2L, b), (transfer.TaskId, transfer.Key));
        Assert.Equal(moved, transfer.Data);
        Assert.Equal(workflowTask, Assert.Single(await Executions.LoadMatchingTasksAsync(ShardSet.Of([shardA]), Ct)));
        Assert.Equal(activityTask, Assert.Single(await Executions.LoadMatchingTasksAsync(ShardSet.Of([shardB]), Ct)));
        await AssertTaskIdFloorAsync(4);
    }

    private async Task AssertTransferIdsAsync(params long[] expected) =>
        Assert.Equal(expected, (await Executions.LoadTransferTasksAsync(ShardSet.All, Ct)).Select(t => t.TaskId).Order());
}
