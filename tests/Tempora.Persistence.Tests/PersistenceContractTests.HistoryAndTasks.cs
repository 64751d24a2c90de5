using Tempora.Core;
using static Tempora.Persistence.Tests.TestData;

namespace Tempora.Persistence.Tests;

/// <summary>History batches, durable timers and the matching backlog.</summary>
public abstract partial class PersistenceContractTests
{
    [Fact]
    public async Task History_WrittenAcrossMutations_IsReadBackInOrder_ByOverlappingRange()
    {
        var b12 = Batch(1, 2);
        var b33 = Batch(3, 3, size: 256 * 1024);
        var b46 = Batch(4, 6);
        var b78 = Batch(7, 8);
        var created = await CreateRunAsync(NewRun("wf-history"), m => m with { NewHistory = [b12] });
        var key = created.Key;
        await Executions.WriteAsync(Update(key, 1) with { NewHistory = [b33] }, Ct);
        await Executions.WriteAsync(Update(key, 2) with { NewHistory = [b46, b78] }, Ct);
        // Another run of the same workflow id and another workflow: their batches never show up.
        await CreateRunAsync(NewRun("wf-history-other"), m => m with { NewHistory = [Batch(1, 9)] });
        await Executions.WriteAsync(Create(NextRunOf(key), expectedCurrentRunId: key.RunId) with { NewHistory = [Batch(1, 4)] }, Ct);

        AssertBatches(await ReadAllHistoryAsync(key), b12, b33, b46, b78);
        AssertBatches(await Executions.ReadHistoryAsync(key, 1, 9, Ct), b12, b33, b46, b78);
        AssertBatches(await Executions.ReadHistoryAsync(key, 1, 3, Ct), b12);
        AssertBatches(await Executions.ReadHistoryAsync(key, 3, 4, Ct), b33);
        AssertBatches(await Executions.ReadHistoryAsync(key, 2, 5, Ct), b12, b33, b46);
        AssertBatches(await Executions.ReadHistoryAsync(key, 5, 7, Ct), b46);
        AssertBatches(await Executions.ReadHistoryAsync(key, 6, 8, Ct), b46, b78);
        AssertBatches(await Executions.ReadHistoryAsync(key, 8, 9, Ct), b78);
        AssertBatches(await Executions.ReadHistoryAsync(key, 8, long.MaxValue, Ct), b78);
        Assert.Empty(await Executions.ReadHistoryAsync(key, 9, 100, Ct));
        Assert.Empty(await Executions.ReadHistoryAsync(key, 3, 3, Ct));
        Assert.Empty(await Executions.ReadHistoryAsync(key with { RunId = "no-such-run" }, 1, long.MaxValue, Ct));
    }

    [Fact]
    public async Task TimerTasks_RoundTrip_OrderedByFireTimeThenTaskId()
    {
        var a = NewRun("wf-timers-a");
        var b = NewRun("wf-timers-b");
        var t10 = Timer(10, T0.AddSeconds(5), a);
        var t12 = Timer(12, T0.AddSeconds(5), a);
        var t11 = Timer(11, T0.AddSeconds(1).ToOffset(TimeSpan.FromHours(2)), a); // the instant counts, not the offset
        var t5 = Timer(5, T0.AddSeconds(3).AddMilliseconds(1), b);
        var t20 = Timer(20, T0.AddDays(-1).AddMilliseconds(-7), b);
        await CreateRunAsync(a, m => m with { NewTimerTasks = [t12, t10, t11] });
        await CreateRunAsync(b, m => m with { NewTimerTasks = [t5] });
        await Executions.WriteAsync(Update(b, 1) with { NewTimerTasks = [t20] }, Ct);

        AssertTimers(await TimersAsync(), t20, t11, t5, t10, t12);
    }

    [Fact]
    public async Task MatchingTasks_RoundTripEveryField()
    {
        var a = NewRun("wf-tasks-a");
        var b = NewRun("wf-tasks-b");
        var workflowTask = Matching(3, a, TaskKind.Workflow, queue: "orders", scheduledEventId: 2, attempt: 1);
        var stickyTask = Matching(4, a, TaskKind.Workflow, queue: "orders-sticky-worker-1", scheduledEventId: 9, attempt: 2) with
        {
            CreatedTime = T0.AddMilliseconds(999).ToOffset(TimeSpan.FromHours(-5)),
        };
        var activityTask = Matching(7, b, TaskKind.Activity, queue: "payments", scheduledEventId: 42, attempt: 7);
        await CreateRunAsync(a, m => m with { NewMatchingTasks = [stickyTask, workflowTask] });
        await CreateRunAsync(b, m => m with { NewMatchingTasks = [activityTask] });

        var loaded = (await Executions.LoadMatchingTasksAsync(ShardSet.All, Ct)).OrderBy(t => t.TaskId).ToList();

        Assert.Equal(new[] { workflowTask, stickyTask, activityTask }, loaded);
        Assert.Equal(
            new[] { workflowTask.CreatedTime, stickyTask.CreatedTime, activityTask.CreatedTime }.Select(t => t.ToUnixTimeMilliseconds()),
            loaded.Select(t => t.CreatedTime.ToUnixTimeMilliseconds()));
        Assert.Equal(new[] { TaskKind.Workflow, TaskKind.Workflow, TaskKind.Activity }, loaded.Select(t => t.Queue.Type));
    }

    [Fact]
    public async Task DeletedTasks_InALaterMutation_RemoveExactlyThose()
    {
        var a = NewRun("wf-deleted-a");
        var b = NewRun("wf-deleted-b");
        await CreateRunAsync(a, m => m with
        {
            NewTimerTasks = [Timer(1, T0, a), Timer(2, T0, a), Timer(3, T0, a)],
            NewMatchingTasks = [Matching(4, a, TaskKind.Workflow), Matching(5, a, TaskKind.Activity), Matching(6, a, TaskKind.Activity)],
        });
        await CreateRunAsync(b, m => m with { NewTimerTasks = [Timer(7, T0, b)], NewMatchingTasks = [Matching(8, b, TaskKind.Workflow)] });

        await Executions.WriteAsync(Update(a, 1) with { DeletedTimerTasks = [2, 999], DeletedMatchingTasks = [5, 6] }, Ct);

        await AssertTimerIdsAsync(1, 3, 7);
        await AssertMatchingTaskIdsAsync(4, 8);
    }

    [Fact]
    public async Task DeleteAllTasksOfRun_RemovesThatRunsTasks_ButKeepsTheOnesTheSameMutationAdds()
    {
        var first = NewRun("wf-clear");
        var other = NewRun("wf-clear-other");
        await CreateRunAsync(first, m => m with
        {
            NewTimerTasks = [Timer(1, T0, first), Timer(2, T0, first)],
            NewMatchingTasks = [Matching(3, first, TaskKind.Workflow), Matching(4, first, TaskKind.Activity)],
        });
        var second = NextRunOf(first); // same workflow id, another run
        await Executions.WriteAsync(Create(second, expectedCurrentRunId: first.RunId) with
        {
            NewTimerTasks = [Timer(5, T0, second)],
            NewMatchingTasks = [Matching(6, second, TaskKind.Workflow)],
        }, Ct);
        await CreateRunAsync(other, m => m with { NewTimerTasks = [Timer(7, T0, other)], NewMatchingTasks = [Matching(8, other, TaskKind.Activity)] });

        await Executions.WriteAsync(Update(first, 1) with
        {
            DeleteAllTasksOfRun = true,
            NewTimerTasks = [Timer(9, T0, first)],
            NewMatchingTasks = [Matching(10, first, TaskKind.Activity)],
        }, Ct);

        await AssertTimerIdsAsync(5, 7, 9);
        await AssertMatchingTaskIdsAsync(6, 8, 10);
    }

    [Fact]
    public async Task DeleteTasks_RemovesTheGivenIds()
    {
        var a = NewRun("wf-delete-tasks");
        await CreateRunAsync(a, m => m with
        {
            NewTimerTasks = [Timer(1, T0, a), Timer(2, T0, a), Timer(3, T0, a)],
            NewMatchingTasks = [Matching(4, a, TaskKind.Workflow), Matching(5, a, TaskKind.Activity), Matching(6, a, TaskKind.Activity)],
        });

        await Executions.DeleteTasksAsync([1, 3], [5, 1000], Ct);
        await AssertTimerIdsAsync(2);
        await AssertMatchingTaskIdsAsync(4, 6);

        await Executions.DeleteTasksAsync([], [], Ct);
        await Executions.DeleteTasksAsync([], [4], Ct);
        await AssertTimerIdsAsync(2);
        await AssertMatchingTaskIdsAsync(6);
    }

    [Fact]
    public async Task TaskIdFloor_IsAtLeastEveryIdInUse()
    {
        await AssertTaskIdFloorAsync(0);

        var a = NewRun("wf-max");
        await CreateRunAsync(a, m => m with { NewTimerTasks = [Timer(5, T0, a)], NewMatchingTasks = [Matching(3, a, TaskKind.Workflow)] });
        await AssertTaskIdFloorAsync(5);

        await Executions.WriteAsync(Update(a, 1) with { NewMatchingTasks = [Matching(9, a, TaskKind.Activity)] }, Ct);
        await AssertTaskIdFloorAsync(9);

        await Executions.DeleteTasksAsync([], [9], Ct);
        await AssertTaskIdFloorAsync(5);

        await Executions.DeleteTasksAsync([5], [], Ct);
        await AssertTaskIdFloorAsync(3);

        await Executions.DeleteTasksAsync([], [3], Ct);
        await AssertTaskIdFloorAsync(0);
    }

    /// <summary>
    /// True when every call hands out a fresh block of ids (PostgreSQL, where replicas must never share one); false
    /// when the floor is the highest id in use (SQLite, one process).
    /// </summary>
    protected virtual bool TaskIdsInBlocks => false;

    private long _lastTaskIdFloor = -1;

    /// <summary>Asserts the floor covers <paramref name="maxInUse"/>: exactly it, or a new block above every earlier one.</summary>
    protected async Task AssertTaskIdFloorAsync(long maxInUse)
    {
        var floor = await Executions.GetMaxTaskIdAsync(Ct);
        if (TaskIdsInBlocks)
        {
            Assert.True(floor >= maxInUse, $"floor {floor} below the id {maxInUse} in use");
            Assert.True(floor >= _lastTaskIdFloor + (1L << 32), $"floor {floor} overlaps the block of the previous call ({_lastTaskIdFloor})");
            _lastTaskIdFloor = floor;
        }
        else
        {
            Assert.Equal(maxInUse, floor);
        }
    }
}
