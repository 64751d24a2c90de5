using Tempora.Core;
using Tempora.Core.Errors;
using Tempora.Persistence.Schedules;
using Tempora.Visibility;
using static Tempora.Persistence.Tests.TestData;

namespace Tempora.Persistence.Tests;

/// <summary>Schedule rows: conditional writes, loads by shard, their visibility row, and writes carried by a transition.</summary>
public abstract partial class PersistenceContractTests
{
    /// <summary>The schema version that added the schedules table (SQLite 4, PostgreSQL 8).</summary>
    protected abstract int SchedulesSchemaVersion { get; }

    /// <summary>Runs <paramref name="sql"/> on this test's main database, directly (the store is closed meanwhile).</summary>
    protected abstract Task ExecuteOnMainDatabaseAsync(string sql);

    private const string ListedSchedules = "TemporalNamespaceDivision = 'TemporalScheduler'";

    private IScheduleStore Schedules => Store.Schedules;

    private static ScheduleRecord Schedule(string scheduleId, long version, int shardId = 1, DateTimeOffset? wake = null) =>
        new(NamespaceId, scheduleId, shardId, version, wake, RandomBytes(48));

    /// <summary>The visibility row a schedule is listed through, as Temporal's scheduler workflow has it.</summary>
    private static VisibilityRecord ScheduleRow(string scheduleId, string runId, long version, bool paused = false) =>
        new(NamespaceId, runId, $"temporal-sys-scheduler:{scheduleId}", "temporal-sys-scheduler-workflow", Running, T0, T0, null,
            "temporal-sys-scheduler-tq", 0, 0, null, version, null, null, $"temporal-sys-scheduler:{scheduleId}", runId, [9, 8, 7],
            $$"""{"TemporalNamespaceDivision":"TemporalScheduler","TemporalSchedulePaused":{{(paused ? "true" : "false")}}}""", version);

    private static ScheduleWrite CreateWrite(ScheduleRecord record, VisibilityRecord? visibility = null) =>
        new(record.NamespaceId, record.ScheduleId, 0, record, visibility);

    private static ScheduleWrite UpdateWrite(ScheduleRecord record, VisibilityRecord? visibility = null) =>
        new(record.NamespaceId, record.ScheduleId, record.Version - 1, record, visibility);

    private static ScheduleWrite DeleteWrite(string scheduleId, long expectedVersion) => new(NamespaceId, scheduleId, expectedVersion, null, null);

    private static void AssertSchedule(ScheduleRecord expected, ScheduleRecord? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal((expected.NamespaceId, expected.ScheduleId, expected.ShardId, expected.Version, expected.NextWakeTime),
            (actual.NamespaceId, actual.ScheduleId, actual.ShardId, actual.Version, actual.NextWakeTime));
        Assert.Equal(expected.State, actual.State);
    }

    private async Task<List<string>> ListedScheduleWorkflowIdsAsync(string filter = ListedSchedules) =>
        [.. (await Store.Visibility.ListAsync(NamespaceId, Query(filter), 100, null, Ct)).Records.Select(r => r.WorkflowId).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task Schedule_Created_IsReadBackAfterARestart_AndASecondCreateFailsAndChangesNothing()
    {
        Assert.Null(await Schedules.GetAsync(NamespaceId, "sched-create", Ct));
        var created = Schedule("sched-create", 1, shardId: 3, wake: T0);

        await Schedules.WriteAsync(CreateWrite(created), Ct);

        AssertSchedule(created, await Schedules.GetAsync(NamespaceId, "sched-create", Ct));
        Assert.Null(await Schedules.GetAsync("other-ns", "sched-create", Ct));
        var duplicate = await Assert.ThrowsAsync<ScheduleConditionFailedException>(() =>
            Schedules.WriteAsync(CreateWrite(Schedule("sched-create", 1, wake: T0.AddHours(1))), Ct));
        Assert.Equal((NamespaceId, "sched-create", 0L), (duplicate.NamespaceId, duplicate.ScheduleId, duplicate.ExpectedVersion));

        await ReopenAsync();
        AssertSchedule(created, await Schedules.GetAsync(NamespaceId, "sched-create", Ct));
    }

    [Fact]
    public async Task Schedule_Update_WinsOnlyAtTheVersionItRead()
    {
        await Schedules.WriteAsync(CreateWrite(Schedule("sched-update", 1, wake: T0)), Ct);
        var second = Schedule("sched-update", 2, shardId: 2, wake: null);

        await Schedules.WriteAsync(UpdateWrite(second), Ct);

        AssertSchedule(second, await Schedules.GetAsync(NamespaceId, "sched-update", Ct));
        // A writer that still holds version 1 (or one from the future) loses, and the row stays as the winner left it.
        foreach (var stale in new[] { 1L, 5L })
        {
            var error = await Assert.ThrowsAsync<ScheduleConditionFailedException>(() => Schedules.WriteAsync(
                new ScheduleWrite(NamespaceId, "sched-update", stale, Schedule("sched-update", stale + 1, wake: T0), null), Ct));
            Assert.Equal(stale, error.ExpectedVersion);
        }
        AssertSchedule(second, await Schedules.GetAsync(NamespaceId, "sched-update", Ct));
        // Updating a schedule that does not exist fails the same way.
        await Assert.ThrowsAsync<ScheduleConditionFailedException>(() => Schedules.WriteAsync(UpdateWrite(Schedule("sched-none", 2)), Ct));
        Assert.Null(await Schedules.GetAsync(NamespaceId, "sched-none", Ct));
    }

    [Fact]
    public async Task Schedule_Delete_AtItsVersion_RemovesTheRowAndItsVisibilityRow_AndTheIdCanBeCreatedAgain()
    {
        var runId = Guid.NewGuid().ToString();
        await Schedules.WriteAsync(CreateWrite(Schedule("sched-delete", 1), ScheduleRow("sched-delete", runId, 1)), Ct);
        // A write without a visibility row leaves it; the delete still finds it.
        await Schedules.WriteAsync(UpdateWrite(Schedule("sched-delete", 2)), Ct);
        Assert.Equal(["temporal-sys-scheduler:sched-delete"], await ListedScheduleWorkflowIdsAsync());

        await Assert.ThrowsAsync<ScheduleConditionFailedException>(() => Schedules.WriteAsync(DeleteWrite("sched-delete", 1), Ct));
        Assert.NotNull(await Schedules.GetAsync(NamespaceId, "sched-delete", Ct));
        Assert.Single(await ListedScheduleWorkflowIdsAsync());

        await Schedules.WriteAsync(DeleteWrite("sched-delete", 2), Ct);

        Assert.Null(await Schedules.GetAsync(NamespaceId, "sched-delete", Ct));
        Assert.Empty(await ListedScheduleWorkflowIdsAsync());
        await Assert.ThrowsAsync<ScheduleConditionFailedException>(() => Schedules.WriteAsync(DeleteWrite("sched-delete", 2), Ct));

        var again = Schedule("sched-delete", 1, wake: T0);
        await Schedules.WriteAsync(CreateWrite(again, ScheduleRow("sched-delete", runId, 1)), Ct);
        AssertSchedule(again, await Schedules.GetAsync(NamespaceId, "sched-delete", Ct));
        Assert.Single(await ListedScheduleWorkflowIdsAsync());
    }

    [Fact]
    public async Task Schedule_Load_OfAShardSet_ReadsOnlyTheSchedulesOfThoseShards()
    {
        var records = new[] { Schedule("sched-load-a", 1, shardId: 1), Schedule("sched-load-b", 1, shardId: 2, wake: T0), Schedule("sched-load-c", 1, shardId: 3) };
        foreach (var record in records)
        {
            await Schedules.WriteAsync(CreateWrite(record), Ct);
        }

        var some = await Schedules.LoadAsync(ShardSet.Of([3, 1]), Ct);
        Assert.Equal(["sched-load-a", "sched-load-c"], some.Select(s => s.ScheduleId));
        AssertSchedule(records[2], some[1]);
        Assert.Empty(await Schedules.LoadAsync(ShardSet.Of([4]), Ct));
        var all = await Schedules.LoadAsync(ShardSet.All, Ct);
        Assert.Equal(records.Select(r => r.ScheduleId), all.Select(s => s.ScheduleId));
        AssertSchedule(records[1], all[1]);
    }

    [Fact]
    public async Task Schedule_VisibilityRow_IsWrittenWithEachWrite_AndListedByItsSearchAttributes()
    {
        var runId = Guid.NewGuid().ToString();
        await Schedules.WriteAsync(CreateWrite(Schedule("sched-vis", 1), ScheduleRow("sched-vis", runId, 1)), Ct);
        await CreateRunAsync(NewRun("wf-not-a-schedule"), m => m with { Visibility = Row(m.Key, 1) });

        var listed = Assert.Single((await Store.Visibility.ListAsync(NamespaceId, Query(ListedSchedules), 10, null, Ct)).Records);
        Assert.Equal((runId, "temporal-sys-scheduler:sched-vis"), (listed.RunId, listed.WorkflowId));
        Assert.Equal([9, 8, 7], listed.Memo);
        Assert.Single(await ListedScheduleWorkflowIdsAsync($"{ListedSchedules} AND TemporalSchedulePaused = false"));

        await Schedules.WriteAsync(UpdateWrite(Schedule("sched-vis", 2), ScheduleRow("sched-vis", runId, 2, paused: true)), Ct);

        Assert.Empty(await ListedScheduleWorkflowIdsAsync($"{ListedSchedules} AND TemporalSchedulePaused = false"));
        Assert.Single(await ListedScheduleWorkflowIdsAsync($"{ListedSchedules} AND TemporalSchedulePaused = true"));
        // One workflow row and one schedule row: a workflow query counts only the first (Temporal's implicit division).
        Assert.Equal(1, await Store.Visibility.CountAsync(NamespaceId, Query(null), Ct));
        Assert.Equal(1, await Store.Visibility.CountAsync(NamespaceId, Query(ListedSchedules), Ct));

        // A lost write leaves the visibility row as it was.
        await Assert.ThrowsAsync<ScheduleConditionFailedException>(() =>
            Schedules.WriteAsync(UpdateWrite(Schedule("sched-vis", 2), ScheduleRow("sched-vis", runId, 3, paused: false)), Ct));
        Assert.Single(await ListedScheduleWorkflowIdsAsync($"{ListedSchedules} AND TemporalSchedulePaused = true"));
    }

    [Fact]
    public async Task Mutation_CarryingAScheduleWrite_CommitsBoth()
    {
        await Schedules.WriteAsync(CreateWrite(Schedule("sched-fire", 1, wake: T0)), Ct);
        var runId = Guid.NewGuid().ToString();
        var fired = Schedule("sched-fire", 2, wake: T0.AddMinutes(1));
        var key = NewRun("sched-fire-action");

        var created = await CreateRunAsync(key, m => m with
        {
            NewHistory = [Batch(1, 2)],
            Visibility = Row(key, 1),
            Schedule = UpdateWrite(fired, ScheduleRow("sched-fire", runId, 2)),
        });

        await AssertExecutionAsync(created, dbVersion: 1);
        AssertSchedule(fired, await Schedules.GetAsync(NamespaceId, "sched-fire", Ct));
        // One workflow row and one schedule row: a workflow query counts only the first (Temporal's implicit division).
        Assert.Equal(1, await Store.Visibility.CountAsync(NamespaceId, Query(null), Ct));
        Assert.Equal(1, await Store.Visibility.CountAsync(NamespaceId, Query(ListedSchedules), Ct));
        Assert.Single(await ListedScheduleWorkflowIdsAsync());
    }

    [Fact]
    public async Task Mutation_WhoseScheduleConditionFails_WritesNeither()
    {
        var current = Schedule("sched-lost", 2, wake: T0);
        await Schedules.WriteAsync(CreateWrite(Schedule("sched-lost", 1)), Ct);
        await Schedules.WriteAsync(UpdateWrite(current), Ct);
        var key = NewRun("sched-lost-action");

        // The writer read version 1 and fires again: another writer got there first.
        var error = await Assert.ThrowsAsync<ScheduleConditionFailedException>(() => Executions.WriteAsync(Create(key) with
        {
            NewHistory = [Batch(1, 2)],
            NewTimerTasks = [Timer(10, T0, key)],
            NewMatchingTasks = [Matching(11, key, TaskKind.Workflow)],
            Visibility = Row(key, 1),
            Schedule = UpdateWrite(Schedule("sched-lost", 2, wake: T0.AddHours(1)), ScheduleRow("sched-lost", Guid.NewGuid().ToString(), 2)),
        }, Ct));

        Assert.Equal(("sched-lost", 1L), (error.ScheduleId, error.ExpectedVersion));
        await AssertNothingOfRunAsync(key);
        Assert.Null(await Executions.GetCurrentExecutionAsync(key.NamespaceId, key.WorkflowId, Ct));
        AssertSchedule(current, await Schedules.GetAsync(NamespaceId, "sched-lost", Ct));
        Assert.Equal(0, await Store.Visibility.CountAsync(NamespaceId, Query(null), Ct));
    }

    [Fact]
    public async Task Mutation_WhoseSuccessorCarriesTheFailingScheduleWrite_FailsWithThatSchedule()
    {
        await Schedules.WriteAsync(CreateWrite(Schedule("sched-first", 1)), Ct);
        await Schedules.WriteAsync(CreateWrite(Schedule("sched-second", 1)), Ct);
        var first = await CreateRunAsync(NewRun("sched-chain"));
        var successor = NextRunOf(first.Key);

        var error = await Assert.ThrowsAsync<ScheduleConditionFailedException>(() => Executions.WriteAsync(
            Update(first.Key, 1, ContinuedAsNew) with
            {
                Schedule = UpdateWrite(Schedule("sched-first", 2)),
                Successor = Create(successor, expectedCurrentRunId: first.Key.RunId) with { Schedule = UpdateWrite(Schedule("sched-second", 3)) },
            }, Ct));

        Assert.Equal(("sched-second", 2L), (error.ScheduleId, error.ExpectedVersion));
        Assert.Equal(1, (await Schedules.GetAsync(NamespaceId, "sched-first", Ct))!.Version);
        await AssertExecutionAsync(first, dbVersion: 1);
        await AssertNothingOfRunAsync(successor);
    }

    [Fact]
    public async Task ConcurrentMutations_AScheduleConditionFailure_FailsOnlyItsOwnMutation()
    {
        // Each good write fires its own schedule at the version it holds; each bad one at a version already gone.
        const int Good = 20;
        const int Bad = 5;
        for (var i = 0; i < Good + Bad; i++)
        {
            await Schedules.WriteAsync(CreateWrite(Schedule($"sched-group-{i}", 1)), Ct);
        }
        var mutations = Enumerable.Range(0, Good + Bad)
            .Select(i =>
            {
                var key = NewRun($"sched-group-action-{i}");
                var expected = i < Good ? 1 : 7;
                return Create(key) with
                {
                    NewHistory = [Batch(1, 2)],
                    NewTimerTasks = [Timer(1000 + i, T0, key)],
                    Visibility = Row(key, 1),
                    Schedule = new ScheduleWrite(NamespaceId, $"sched-group-{i}", expected, Schedule($"sched-group-{i}", expected + 1), null),
                };
            })
            .OrderBy(_ => Random.Shared.Next())
            .ToArray();

        var attempts = await WriteAllAtOnceAsync(mutations);

        for (var i = 0; i < mutations.Length; i++)
        {
            var schedule = await Schedules.GetAsync(NamespaceId, mutations[i].Schedule!.ScheduleId, Ct);
            if (mutations[i].Schedule!.ExpectedVersion != 1)
            {
                Assert.IsType<ScheduleConditionFailedException>(Assert.Single(attempts[i].Exception!.InnerExceptions));
                await AssertNothingOfRunAsync(mutations[i].Key);
                Assert.Equal(1, schedule!.Version);
            }
            else
            {
                Assert.True(attempts[i].IsCompletedSuccessfully, $"write of {mutations[i].Key.WorkflowId}: {attempts[i].Exception}");
                await AssertExecutionAsync(mutations[i], dbVersion: 1);
                Assert.Equal(2, schedule!.Version);
            }
        }
        Assert.Equal(Good, await Store.Visibility.CountAsync(NamespaceId, Query(null), Ct));
    }

    [Fact]
    public async Task ScheduleWrite_ThatContradictsItself_IsRefused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Schedules.WriteAsync(
            new ScheduleWrite(NamespaceId, "sched-bad", 0, Schedule("sched-bad", 2), null), Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => Schedules.WriteAsync(
            new ScheduleWrite(NamespaceId, "sched-bad", 0, Schedule("sched-other", 1), null), Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => Schedules.WriteAsync(DeleteWrite("sched-bad", 0), Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => Schedules.WriteAsync(
            new ScheduleWrite(NamespaceId, "sched-bad", 1, null, ScheduleRow("sched-bad", "run", 2)), Ct));
        var key = NewRun("sched-bad-action");
        await Assert.ThrowsAsync<ArgumentException>(() => Executions.WriteAsync(Create(key) with { Schedule = DeleteWrite("sched-bad", 0) }, Ct));

        Assert.Null(await Schedules.GetAsync(NamespaceId, "sched-bad", Ct));
        await AssertNothingOfRunAsync(key);
    }

    [Fact]
    public async Task SchedulesTable_IsAddedByTheMigration_FromThePreviousSchemaVersion()
    {
        var run = await CreateRunAsync(NewRun("wf-before-schedules"), m => m with { Visibility = Row(m.Key, 1) });
        var current = Store;
        Store = null!;
        await current.DisposeAsync();
        // The database as the previous version left it: no schedules table, no later migration (the batch tables, the
        // namespaces' delete time, PostgreSQL's cluster secret), their version rows gone.
        await ExecuteOnMainDatabaseAsync(
            $"{DropTaskVersions} DROP TABLE IF EXISTS worker_deployment_task_queues; DROP TABLE IF EXISTS worker_deployment_versions; DROP TABLE IF EXISTS worker_deployments; DROP TABLE IF EXISTS nexus_endpoints; DROP TABLE IF EXISTS cluster_secrets; DROP TABLE batch_items; DROP TABLE batches; DROP TABLE schedules; ALTER TABLE namespaces DROP COLUMN delete_time; DELETE FROM schema_version WHERE version >= {SchedulesSchemaVersion};");

        var refused = await Assert.ThrowsAsync<SchemaVersionMismatchException>(() => OpenStoreAsync(migrate: false));
        Assert.Contains($"schema version {SchedulesSchemaVersion - 1}", refused.Message, StringComparison.Ordinal);
        Store = await OpenStoreAsync(migrate: true);

        await AssertExecutionAsync(run, dbVersion: 1);
        var created = Schedule("sched-after-migration", 1, wake: T0);
        await Schedules.WriteAsync(CreateWrite(created, ScheduleRow("sched-after-migration", Guid.NewGuid().ToString(), 1)), Ct);
        AssertSchedule(created, await Schedules.GetAsync(NamespaceId, "sched-after-migration", Ct));
        // One workflow row and one schedule row: a workflow query counts only the first (Temporal's implicit division).
        Assert.Equal(1, await Store.Visibility.CountAsync(NamespaceId, Query(null), Ct));
        Assert.Equal(1, await Store.Visibility.CountAsync(NamespaceId, Query(ListedSchedules), Ct));
        await ReopenAsync(); // at the latest version now: opens without migrating
    }
}
