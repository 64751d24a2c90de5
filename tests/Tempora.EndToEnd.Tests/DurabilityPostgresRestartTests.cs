using System.Collections.Concurrent;
using System.Diagnostics;
using Temporalio.Activities;
using Temporalio.Client;
using Temporalio.Common;
using Temporalio.Worker;
using Temporalio.Workflows;
using Xunit.Abstractions;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// PostgreSQL restarted (or down for a while) under a running `tempora start` with workflows in flight, on a private
/// PostgreSQL cluster of the test's own (never the shared one). The server reconnects by itself: every workflow
/// completes exactly once, and afterwards new workflows start and complete on the same server process.
/// </summary>
[Collection(nameof(DurabilityPostgresRestartTests))]
[Trait("Store", "PostgresOnly")]
public sealed class DurabilityPostgresRestartTests
{
    private const int Workflows = 30;
    private const int AfterwardsWorkflows = 10;
    private const int Steps = 3;

    /// <summary>A workflow task whose completion failed during the outage is retried after this (default 10 s).</summary>
    private static readonly TimeSpan TaskTimeout = TimeSpan.FromSeconds(4);

    private readonly ITestOutputHelper _output;

    public DurabilityPostgresRestartTests(ITestOutputHelper output) => _output = output;

    /// <summary>`pg_ctl restart -m fast`: PostgreSQL terminates every session, shuts down cleanly and is back at once.</summary>
    [Fact]
    public Task PostgresRestarted_UnderRunningServer_WorkflowsCompleteOnce_AndServerKeepsWorking() =>
        RunAsync(downtime: null, immediate: false);

    /// <summary>`pg_ctl stop -m immediate` (PostgreSQL crashes: no checkpoint, crash recovery on start), then 5 s with the port closed.</summary>
    [Fact]
    public Task PostgresCrashedAndDownFiveSeconds_UnderRunningServer_WorkflowsCompleteOnce_AndServerKeepsWorking() =>
        RunAsync(downtime: TimeSpan.FromSeconds(5), immediate: true);

    private async Task RunAsync(TimeSpan? downtime, bool immediate)
    {
        var clock = Stopwatch.StartNew();
        await using var pg = await PrivatePostgres.StartAsync("durability-pg");
        _output.WriteLine($"{clock.Elapsed}: private PostgreSQL on port {pg.Port} (log copied to {pg.LogCopy} at the end)");
        await using var server = await TemporaProcess.StartAsync(new TemporaProcessOptions
        {
            Postgres = pg.Settings(),
            SetupSchema = true,
            LogName = "durability-pg-tempora",
        });
        var pid = server.Pid;
        _output.WriteLine($"{clock.Elapsed}: tempora start {server.Address} (log {server.LogFile})");

        var taskQueue = ServerFixture.NewTaskQueue("durability-pg");
        var activities = new PgActivities();
        var client = await TemporalClient.ConnectAsync(new(server.Address));
        using var worker = new TemporalWorker(
            client, new TemporalWorkerOptions(taskQueue).AddWorkflow<PgWorkflow>().AddAllActivities(activities));
        await worker.ExecuteAsync(async () =>
        {
            var ids = Enumerable.Range(0, Workflows).Select(i => ServerFixture.NewWorkflowId($"durability-pg-{i}")).ToList();
            var runIds = new Dictionary<string, string>();
            for (var i = 0; i < Workflows; i++)
            {
                var handle = await client.StartWorkflowAsync((PgWorkflow wf) => wf.RunAsync(i), new(ids[i], taskQueue) { TaskTimeout = TaskTimeout });
                runIds[ids[i]] = handle.ResultRunId!;
            }
            await Wait.UntilAsync(
                () => Task.FromResult(activities.TotalExecutions),
                n => n >= Workflows,
                "a third of the activity steps to run before PostgreSQL restarts");

            var executionsBefore = activities.TotalExecutions;
            await pg.RestartAsync(downtime, immediate);
            _output.WriteLine($"{clock.Elapsed}: PostgreSQL {(immediate ? "crashed" : "stopped")} and started again (downtime {downtime?.TotalSeconds ?? 0}s) after {executionsBefore} of {Workflows * Steps} activity executions");
            Assert.True(executionsBefore < Workflows * Steps, "PostgreSQL restarted after every activity had run: nothing was in flight");

            for (var i = 0; i < Workflows; i++)
            {
                var events = await DurabilityChecks.AssertCompletedOnceAsync(client, ids[i], runIds[ids[i]], PgWorkflow.Expected(i))
                    .WithTimeout($"workflow {ids[i]} to complete after the PostgreSQL restart", TimeSpan.FromSeconds(60));
                DurabilityChecks.AssertActivitiesCompletedOnce(events, Steps);
                DurabilityChecks.AssertTimersFiredOnce(events, Steps);
            }
            _output.WriteLine($"{clock.Elapsed}: all {Workflows} in-flight workflows completed once; {activities.TotalExecutions} activity executions for {Workflows * Steps} steps");

            // The same server process keeps serving: new workflows start and complete.
            Assert.False(server.HasExited, "tempora exited after the PostgreSQL restart");
            var newIds = Enumerable.Range(Workflows, AfterwardsWorkflows).Select(i => ServerFixture.NewWorkflowId($"durability-pg-after-{i}")).ToList();
            var newRunIds = new Dictionary<string, string>();
            for (var i = 0; i < AfterwardsWorkflows; i++)
            {
                var handle = await client.StartWorkflowAsync((PgWorkflow wf) => wf.RunAsync(Workflows + i), new(newIds[i], taskQueue) { TaskTimeout = TaskTimeout })
                    .WithTimeout($"a new workflow to start after the PostgreSQL restart");
                newRunIds[newIds[i]] = handle.ResultRunId!;
            }
            for (var i = 0; i < AfterwardsWorkflows; i++)
            {
                var events = await DurabilityChecks.AssertCompletedOnceAsync(client, newIds[i], newRunIds[newIds[i]], PgWorkflow.Expected(Workflows + i));
                DurabilityChecks.AssertActivitiesCompletedOnce(events, Steps);
                DurabilityChecks.AssertTimersFiredOnce(events, Steps);
            }
            Assert.False(server.HasExited, "tempora exited after the PostgreSQL restart");
            Assert.Equal(pid, server.Pid);
            _output.WriteLine($"{clock.Elapsed}: {AfterwardsWorkflows} new workflows completed on the same server process");
        });
    }

    [Workflow]
    public class PgWorkflow
    {
        public static int Expected(int index) => Enumerable.Range(1, Steps).Sum(step => PgActivities.Result(index, step));

        [WorkflowRun]
        public async Task<int> RunAsync(int index)
        {
            var sum = 0;
            for (var step = 1; step <= Steps; step++)
            {
                sum += await Workflow.ExecuteActivityAsync((PgActivities a) => a.StepAsync(index, step), new()
                {
                    StartToCloseTimeout = TimeSpan.FromSeconds(5),
                    RetryPolicy = new RetryPolicy { InitialInterval = TimeSpan.FromMilliseconds(200), MaximumInterval = TimeSpan.FromSeconds(1) },
                });
                await Workflow.DelayAsync(TimeSpan.FromMilliseconds(700));
            }
            return sum;
        }
    }

    public class PgActivities
    {
        private readonly ConcurrentDictionary<(int Index, int Step), int> _executions = new();

        public int TotalExecutions => _executions.Values.Sum();

        public static int Result(int index, int step) => (index * 10) + step;

        [Activity]
        public async Task<int> StepAsync(int index, int step)
        {
            _executions.AddOrUpdate((index, step), 1, (_, n) => n + 1);
            await Task.Delay(100, ActivityExecutionContext.Current.CancellationToken);
            return Result(index, step);
        }
    }
}
