using Tempora.Core;
using Tempora.Core.Errors;
using static Tempora.Persistence.Tests.TestData;

namespace Tempora.Persistence.Tests;

/// <summary>Runs, the current-run pointer and optimistic concurrency.</summary>
public abstract partial class PersistenceContractTests
{
    [Fact]
    public async Task CreateRun_IsReadBack_WithVersionOneAndCurrentPointer()
    {
        var key = NewRun("wf-create");
        Assert.Null(await Executions.GetExecutionAsync(key, Ct));
        Assert.Null(await Executions.GetCurrentExecutionAsync(key.NamespaceId, key.WorkflowId, Ct));

        var created = await CreateRunAsync(key, m => m with { NextEventId = 4, Status = Running });

        await AssertExecutionAsync(created, dbVersion: 1);
        Assert.Equal(created.Current, await Executions.GetCurrentExecutionAsync(key.NamespaceId, key.WorkflowId, Ct));
        // Keys are exact: another namespace or run id finds nothing.
        Assert.Null(await Executions.GetExecutionAsync(key with { RunId = "other" }, Ct));
        Assert.Null(await Executions.GetCurrentExecutionAsync("other-ns", key.WorkflowId, Ct));
    }

    [Fact]
    public async Task CreateRun_WhenWorkflowIdHasCurrentRun_FailsAndWritesNothing()
    {
        var first = await CreateRunAsync(NewRun("wf-dup"));
        var second = NextRunOf(first.Key);

        await Assert.ThrowsAsync<CurrentExecutionConditionFailedException>(() => Executions.WriteAsync(Create(second) with
        {
            NewHistory = [Batch(1, 2)],
            NewTimerTasks = [Timer(10, T0, second)],
            NewMatchingTasks = [Matching(11, second, TaskKind.Workflow)],
        }, Ct));

        await AssertNothingOfRunAsync(second);
        Assert.Equal(first.Current, await Executions.GetCurrentExecutionAsync(first.Key.NamespaceId, first.Key.WorkflowId, Ct));
        await AssertExecutionAsync(first, dbVersion: 1);

        // The statements that just failed serve the next write (SQLite keeps them prepared between writes).
        var next = await CreateRunAsync(NewRun("wf-dup-next"));
        await AssertExecutionAsync(next, dbVersion: 1);
        Assert.Equal(next.Current, await Executions.GetCurrentExecutionAsync(next.Key.NamespaceId, next.Key.WorkflowId, Ct));
    }

    [Fact]
    public async Task CreateRun_ReplacingCurrent_SucceedsOnlyWhenExpectedRunMatches()
    {
        var first = await CreateRunAsync(NewRun("wf-replace"), m => m with { Status = Completed });
        var second = Create(NextRunOf(first.Key), expectedCurrentRunId: first.Key.RunId, firstExecutionRunId: first.Key.RunId);

        await Executions.WriteAsync(second, Ct);

        await AssertExecutionAsync(first, dbVersion: 1);
        await AssertExecutionAsync(second, dbVersion: 1);
        var current = await Executions.GetCurrentExecutionAsync(first.Key.NamespaceId, first.Key.WorkflowId, Ct);
        Assert.Equal(second.Current, current);
        Assert.Equal(first.Key.RunId, current!.FirstExecutionRunId);

        // The pointer has moved on: expecting the first run (or any other) now fails, and nothing of it is written.
        foreach (var wrong in new[] { first.Key.RunId, "no-such-run" })
        {
            var third = NextRunOf(first.Key);
            await Assert.ThrowsAsync<CurrentExecutionConditionFailedException>(() => Executions.WriteAsync(
                Create(third, expectedCurrentRunId: wrong) with
                {
                    NewHistory = [Batch(1, 2)],
                    NewTimerTasks = [Timer(20, T0, third)],
                    NewMatchingTasks = [Matching(21, third, TaskKind.Workflow)],
                }, Ct));
            await AssertNothingOfRunAsync(third);
            Assert.Equal(second.Current, await Executions.GetCurrentExecutionAsync(first.Key.NamespaceId, first.Key.WorkflowId, Ct));
        }
    }

    [Fact]
    public async Task CreateRun_ExpectingACurrentRun_FailsWhenWorkflowIdHasNone()
    {
        var key = NewRun("wf-replace-missing");

        await Assert.ThrowsAsync<CurrentExecutionConditionFailedException>(() =>
            Executions.WriteAsync(Create(key, expectedCurrentRunId: "some-run") with { NewHistory = [Batch(1, 2)] }, Ct));

        await AssertNothingOfRunAsync(key);
        Assert.Null(await Executions.GetCurrentExecutionAsync(key.NamespaceId, key.WorkflowId, Ct));
    }

    [Fact]
    public async Task MatchingTask_PinnedToAVersion_IsLoadedWithIt_OthersWithout()
    {
        var created = await CreateRunAsync(NewRun("wf-pinned-task"), m => m with { NewHistory = [Batch(1, 2)] });
        var key = created.Key;
        var pinned = Matching(2, key, TaskKind.Workflow) with { PinnedTo = new Tempora.Core.Versioning.DeploymentVersion("orders", "build.7:x") };
        var unpinned = Matching(3, key, TaskKind.Activity);

        await Executions.WriteAsync(Update(key, expectedDbVersion: 1, nextEventId: 5) with { NewHistory = [Batch(3, 4)], NewMatchingTasks = [pinned, unpinned] }, Ct);

        var loaded = (await Executions.LoadMatchingTasksAsync(ShardSet.All, Ct)).Where(t => t.RunId == key.RunId).OrderBy(t => t.TaskId).ToList();
        Assert.Equal([pinned, unpinned], loaded);
        Assert.Null(loaded[1].PinnedTo);
    }

    [Fact]
    public async Task Update_WithExpectedVersion_IncrementsIt_AndStaleVersionWritesNothing()
    {
        var created = await CreateRunAsync(NewRun("wf-update"), m => m with { NewHistory = [Batch(1, 2)], NewTimerTasks = [Timer(1, T0, m.Key)] });
        var key = created.Key;

        var update = Update(key, expectedDbVersion: 1, nextEventId: 5) with { NewHistory = [Batch(3, 4)], NewMatchingTasks = [Matching(2, key, TaskKind.Activity)] };
        await Executions.WriteAsync(update, Ct);
        await AssertExecutionAsync(update, dbVersion: 2);

        var update2 = Update(key, expectedDbVersion: 2, status: Completed, nextEventId: 6) with { NewHistory = [Batch(5, 5)] };
        await Executions.WriteAsync(update2, Ct);
        await AssertExecutionAsync(update2, dbVersion: 3);

        // A writer that still holds version 2 loses, whatever it carries.
        var stale = Update(key, expectedDbVersion: 2, status: Failed, nextEventId: 9) with
        {
            NewHistory = [Batch(6, 8)],
            NewTimerTasks = [Timer(10, T0, key)],
            DeletedTimerTasks = [1],
            NewMatchingTasks = [Matching(11, key, TaskKind.Workflow)],
            DeletedMatchingTasks = [2],
            Current = CurrentFor(key, Failed),
        };
        await Assert.ThrowsAsync<ExecutionConditionFailedException>(() => Executions.WriteAsync(stale, Ct));

        await AssertExecutionAsync(update2, dbVersion: 3);
        Assert.Equal(new[] { (1L, 2L), (3L, 4L), (5L, 5L) }, (await ReadAllHistoryAsync(key)).Select(b => (b.FirstEventId, b.LastEventId)));
        await AssertTimerIdsAsync(1);
        await AssertMatchingTaskIdsAsync(2);
        Assert.Equal(Running, (await Executions.GetCurrentExecutionAsync(key.NamespaceId, key.WorkflowId, Ct))!.Status);

        // A version from the future fails the same way.
        await Assert.ThrowsAsync<ExecutionConditionFailedException>(() => Executions.WriteAsync(Update(key, expectedDbVersion: 4), Ct));
        await AssertExecutionAsync(update2, dbVersion: 3);
    }

    [Fact]
    public async Task Update_OfRunThatDoesNotExist_FailsWithExecutionConditionFailed()
    {
        var key = NewRun("wf-missing");

        await Assert.ThrowsAsync<ExecutionConditionFailedException>(() =>
            Executions.WriteAsync(Update(key, expectedDbVersion: 1) with { NewHistory = [Batch(1, 2)], NewTimerTasks = [Timer(1, T0, key)] }, Ct));

        await AssertNothingOfRunAsync(key);
    }

    [Fact]
    public async Task Successor_IsWrittenWithTheClosingRun_AndTakesOverTheCurrentPointer()
    {
        var first = await CreateRunAsync(NewRun("wf-successor"), m => m with { NewHistory = [Batch(1, 2)], NewTimerTasks = [Timer(1, T0, m.Key)] });
        var successorKey = NextRunOf(first.Key);
        var successor = Create(successorKey, expectedCurrentRunId: first.Key.RunId, firstExecutionRunId: first.Key.RunId) with
        {
            NewHistory = [Batch(1, 2)],
            NewMatchingTasks = [Matching(3, successorKey, TaskKind.Workflow)],
        };
        var close = Update(first.Key, expectedDbVersion: 1, status: ContinuedAsNew, nextEventId: 5) with
        {
            NewHistory = [Batch(3, 4)],
            DeleteAllTasksOfRun = true,
            Current = CurrentFor(first.Key, ContinuedAsNew),
            Successor = successor,
        };

        await Executions.WriteAsync(close, Ct);

        await AssertExecutionAsync(close, dbVersion: 2);
        await AssertExecutionAsync(successor, dbVersion: 1);
        Assert.Equal(successor.Current, await Executions.GetCurrentExecutionAsync(first.Key.NamespaceId, first.Key.WorkflowId, Ct));
        AssertBatches(await ReadAllHistoryAsync(first.Key), first.NewHistory[0], close.NewHistory[0]);
        AssertBatches(await ReadAllHistoryAsync(successorKey), successor.NewHistory[0]);
        await AssertTimerIdsAsync();
        await AssertMatchingTaskIdsAsync(3);
    }

    [Fact]
    public async Task Successor_WhoseConditionFails_RollsBackTheClosingRunToo()
    {
        var first = await CreateRunAsync(NewRun("wf-successor-fail"), m => m with { NewHistory = [Batch(1, 2)], NewTimerTasks = [Timer(1, T0, m.Key)] });
        var successorKey = NextRunOf(first.Key);
        var close = Update(first.Key, expectedDbVersion: 1, status: ContinuedAsNew, nextEventId: 5) with
        {
            NewHistory = [Batch(3, 4)],
            DeleteAllTasksOfRun = true,
            Current = CurrentFor(first.Key, ContinuedAsNew),
            Successor = Create(successorKey, expectedCurrentRunId: "not-the-current-run") with
            {
                NewHistory = [Batch(1, 2)],
                NewMatchingTasks = [Matching(3, successorKey, TaskKind.Workflow)],
            },
        };

        await Assert.ThrowsAsync<CurrentExecutionConditionFailedException>(() => Executions.WriteAsync(close, Ct));

        await AssertExecutionAsync(first, dbVersion: 1);
        AssertBatches(await ReadAllHistoryAsync(first.Key), first.NewHistory[0]);
        await AssertTimerIdsAsync(1);
        Assert.Equal(first.Current, await Executions.GetCurrentExecutionAsync(first.Key.NamespaceId, first.Key.WorkflowId, Ct));
        await AssertNothingOfRunAsync(successorKey);
    }

    [Fact]
    public async Task Successor_WithNoCurrentExpected_FailsBecauseTheClosingRunIsCurrent()
    {
        var first = await CreateRunAsync(NewRun("wf-successor-null"));
        var successorKey = NextRunOf(first.Key);
        var close = Update(first.Key, expectedDbVersion: 1, status: Completed) with
        {
            NewHistory = [Batch(3, 4)],
            Current = CurrentFor(first.Key, Completed),
            Successor = Create(successorKey) with { NewHistory = [Batch(1, 2)] },
        };

        await Assert.ThrowsAsync<CurrentExecutionConditionFailedException>(() => Executions.WriteAsync(close, Ct));

        await AssertExecutionAsync(first, dbVersion: 1);
        Assert.Empty(await ReadAllHistoryAsync(first.Key));
        Assert.Equal(first.Current, await Executions.GetCurrentExecutionAsync(first.Key.NamespaceId, first.Key.WorkflowId, Ct));
        await AssertNothingOfRunAsync(successorKey);
    }

    [Fact]
    public async Task Update_WithCurrent_MirrorsStatusOnlyWhileThePointerIsOnThisRun()
    {
        var first = await CreateRunAsync(NewRun("wf-mirror"));
        var key = first.Key;

        // Without Current the pointer keeps its status.
        await Executions.WriteAsync(Update(key, 1, status: Completed), Ct);
        Assert.Equal(first.Current, await Executions.GetCurrentExecutionAsync(key.NamespaceId, key.WorkflowId, Ct));

        // With Current the status is mirrored; the other fields stay as the run was created.
        await Executions.WriteAsync(Update(key, 2, status: Completed) with { Current = CurrentFor(key, Completed) }, Ct);
        Assert.Equal(first.Current! with { Status = Completed }, await Executions.GetCurrentExecutionAsync(key.NamespaceId, key.WorkflowId, Ct));

        var second = Create(NextRunOf(key), expectedCurrentRunId: key.RunId, firstExecutionRunId: key.RunId);
        await Executions.WriteAsync(second, Ct);

        // The pointer has moved on: a status change of the old run must not touch it.
        var late = Update(key, 3, status: Failed) with { Current = CurrentFor(key, Failed) };
        await Executions.WriteAsync(late, Ct);
        await AssertExecutionAsync(late, dbVersion: 4);
        Assert.Equal(second.Current, await Executions.GetCurrentExecutionAsync(key.NamespaceId, key.WorkflowId, Ct));
    }

    [Fact]
    public async Task DeleteExecution_RemovesRunHistoryTasksAndItsCurrentPointer_Only()
    {
        var a = await CreateRunAsync(NewRun("wf-delete-a"), m => m with
        {
            NewHistory = [Batch(1, 2)],
            NewTimerTasks = [Timer(1, T0, m.Key)],
            NewMatchingTasks = [Matching(2, m.Key, TaskKind.Workflow)],
        });
        await Executions.WriteAsync(Update(a.Key, 1) with { NewHistory = [Batch(3, 4)], NewMatchingTasks = [Matching(3, a.Key, TaskKind.Activity)] }, Ct);
        var b = await CreateRunAsync(NewRun("wf-delete-b"), m => m with
        {
            NewHistory = [Batch(1, 2)],
            NewTimerTasks = [Timer(11, T0, m.Key)],
            NewMatchingTasks = [Matching(12, m.Key, TaskKind.Workflow)],
        });

        await Executions.DeleteExecutionAsync(a.Key, NoLease, Ct);

        await AssertNothingOfRunAsync(a.Key);
        Assert.Null(await Executions.GetCurrentExecutionAsync(a.Key.NamespaceId, a.Key.WorkflowId, Ct));
        await AssertExecutionAsync(b, dbVersion: 1);
        AssertBatches(await ReadAllHistoryAsync(b.Key), b.NewHistory[0]);
        Assert.Equal(b.Current, await Executions.GetCurrentExecutionAsync(b.Key.NamespaceId, b.Key.WorkflowId, Ct));
        await AssertTimerIdsAsync(11);
        await AssertMatchingTaskIdsAsync(12);

        // Deleting what is gone already is not an error.
        await Executions.DeleteExecutionAsync(a.Key, NoLease, Ct);
    }

    [Fact]
    public async Task DeleteExecution_OfAnOldRun_KeepsTheCurrentPointerOfTheNewerRun()
    {
        var first = await CreateRunAsync(NewRun("wf-delete-old"), m => m with { NewHistory = [Batch(1, 2)], NewTimerTasks = [Timer(1, T0, m.Key)] });
        var secondKey = NextRunOf(first.Key);
        var second = Create(secondKey, expectedCurrentRunId: first.Key.RunId, firstExecutionRunId: first.Key.RunId) with
        {
            NewHistory = [Batch(1, 3)],
            NewTimerTasks = [Timer(2, T0, secondKey)],
        };
        await Executions.WriteAsync(second, Ct);

        await Executions.DeleteExecutionAsync(first.Key, NoLease, Ct);

        await AssertNothingOfRunAsync(first.Key);
        await AssertExecutionAsync(second, dbVersion: 1);
        AssertBatches(await ReadAllHistoryAsync(second.Key), second.NewHistory[0]);
        Assert.Equal(second.Current, await Executions.GetCurrentExecutionAsync(first.Key.NamespaceId, first.Key.WorkflowId, Ct));
        await AssertTimerIdsAsync(2);
    }

    [Fact]
    public async Task ConcurrentUpdates_WithTheSameExpectedVersion_ExactlyOneWins()
    {
        const int writers = 20;
        var created = await CreateRunAsync(NewRun("wf-race"), m => m with { NewHistory = [Batch(1, 2)] });
        var key = created.Key;
        // Every writer read version 1 and appends the same next event id, as racing transitions of one run would.
        var mutations = Enumerable.Range(0, writers)
            .Select(i => Update(key, expectedDbVersion: 1, nextEventId: 4) with
            {
                NewHistory = [Batch(3, 3)],
                NewTimerTasks = [Timer(100 + i, T0, key)],
                NewMatchingTasks = [Matching(200 + i, key, TaskKind.Workflow)],
            })
            .ToArray();

        var attempts = await WriteAllAtOnceAsync(mutations);

        var winners = Enumerable.Range(0, writers).Where(i => attempts[i].IsCompletedSuccessfully).ToList();
        var winner = Assert.Single(winners);
        Assert.All(attempts.Where(t => !t.IsCompletedSuccessfully), t =>
            Assert.IsType<ExecutionConditionFailedException>(Assert.Single(t.Exception!.InnerExceptions)));

        // The store holds exactly the winner's transition.
        await AssertExecutionAsync(mutations[winner], dbVersion: 2);
        AssertBatches(await ReadAllHistoryAsync(key), created.NewHistory[0], mutations[winner].NewHistory[0]);
        await AssertTimerIdsAsync(100 + winner);
        await AssertMatchingTaskIdsAsync(200 + winner);
    }

    [Fact]
    public async Task ConcurrentWrites_OfDifferentRuns_AFailedOneUndoesOnlyItsOwnStatements()
    {
        // Stores commit concurrent transitions together (group commit, both stores); a write that fails its condition
        // in such a group must leave nothing behind and take nothing of the others with it.
        var existing = await CreateRunAsync(NewRun("wf-group-dup"));
        var good = Enumerable.Range(0, 30).Select(i => NewRun($"wf-group-{i}")).ToArray();
        var bad = Enumerable.Range(0, 5).Select(_ => NextRunOf(existing.Key)).ToArray();
        var mutations = good.Concat(bad)
            .Select((key, i) => Create(key) with
            {
                NewHistory = [Batch(1, 2)],
                NewTimerTasks = [Timer(1000 + i, T0, key)],
                NewMatchingTasks = [Matching(2000 + i, key, TaskKind.Workflow)],
            })
            .OrderBy(_ => Random.Shared.Next())
            .ToArray();

        var attempts = await WriteAllAtOnceAsync(mutations);

        for (var i = 0; i < mutations.Length; i++)
        {
            if (bad.Contains(mutations[i].Key))
            {
                Assert.IsType<CurrentExecutionConditionFailedException>(Assert.Single(attempts[i].Exception!.InnerExceptions));
                await AssertNothingOfRunAsync(mutations[i].Key);
            }
            else
            {
                Assert.True(attempts[i].IsCompletedSuccessfully, $"write of {mutations[i].Key.WorkflowId}: {attempts[i].Exception}");
                await AssertExecutionAsync(mutations[i], dbVersion: 1);
                AssertBatches(await ReadAllHistoryAsync(mutations[i].Key), mutations[i].NewHistory[0]);
            }
        }
        await AssertTimerIdsAsync([.. mutations.Where(m => !bad.Contains(m.Key)).Select(m => m.NewTimerTasks[0].TaskId).Order()]);
        Assert.Equal(existing.Current, await Executions.GetCurrentExecutionAsync(existing.Key.NamespaceId, existing.Key.WorkflowId, Ct));
    }

    /// <summary>Starts every write at the same moment and waits for all; the tasks tell which succeeded.</summary>
    private async Task<Task[]> WriteAllAtOnceAsync(IReadOnlyList<ExecutionMutation> mutations)
    {
        using var start = new ManualResetEventSlim();
        var attempts = mutations.Select(m => Task.Run(async () =>
        {
            start.Wait(Ct);
            await Executions.WriteAsync(m, Ct);
        })).ToArray();
        start.Set();
        await Task.WhenAll(attempts).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        return attempts;
    }
}
