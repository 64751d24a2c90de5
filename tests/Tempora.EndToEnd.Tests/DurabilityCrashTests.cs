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
/// kill -9 of the real server process (start-dev on SQLite, `tempora start` on PostgreSQL) with 200 workflows in
/// flight, then a restart on the same store and the same address. The worker keeps running across the crash, as a
/// worker fleet would. Every acknowledged workflow completes exactly once with the right result; activities may run
/// more than once (at-least-once), so the counts are only checked from below.
/// </summary>
[Collection(nameof(DurabilityCrashTests))]
public sealed class DurabilityCrashTests : IDisposable
{
    private const int Workflows = 200;
    private const int Steps = 3;

    /// <summary>A workflow task the crash left started is retried after this (the default 10 s would only make the test slower).</summary>
    private static readonly TimeSpan TaskTimeout = TimeSpan.FromSeconds(4);

    private readonly TestDatabase _db = new("durability_crash");
    private readonly ITestOutputHelper _output;

    public DurabilityCrashTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task KillNine_With200WorkflowsInFlight_EachCompletesExactlyOnceAfterRestart()
    {
        var clock = Stopwatch.StartNew();
        var taskQueue = ServerFixture.NewTaskQueue("durability-crash");
        var ids = Enumerable.Range(0, Workflows).Select(i => ServerFixture.NewWorkflowId($"durability-crash-{i}")).ToList();
        var activities = new CrashActivities();

        await using var first = await TemporaProcess.StartForAsync(_db, logName: "durability-crash-1");
        _output.WriteLine($"{clock.Elapsed}: first server {first.Address} (log {first.LogFile})");
        var client = await TemporalClient.ConnectAsync(new(first.Address));
        using var stopWorker = new CancellationTokenSource();
        using var worker = new TemporalWorker(
            client, new TemporalWorkerOptions(taskQueue).AddWorkflow<CrashWorkflow>().AddAllActivities(activities));
        var running = worker.ExecuteAsync(stopWorker.Token);

        // Every start the server acknowledged must survive the crash.
        var runIds = new ConcurrentDictionary<string, string>();
        foreach (var chunk in ids.Select((id, i) => (id, i)).Chunk(25))
        {
            await Task.WhenAll(chunk.Select(async w =>
            {
                var handle = await client.StartWorkflowAsync((CrashWorkflow wf) => wf.RunAsync(w.i), new(w.id, taskQueue) { TaskTimeout = TaskTimeout });
                runIds[w.id] = handle.ResultRunId!;
            })).WithTimeout("200 workflow starts");
        }
        _output.WriteLine($"{clock.Elapsed}: {Workflows} workflows started");

        await Wait.UntilAsync(
            () => Task.FromResult(activities.TotalExecutions),
            n => n >= Workflows,
            "a third of the activity steps to run before the crash");
        await first.KillAsync();
        var executionsAtKill = activities.TotalExecutions;
        _output.WriteLine($"{clock.Elapsed}: SIGKILL after {executionsAtKill} of {Workflows * Steps} activity executions");
        Assert.True(executionsAtKill < Workflows * Steps, "the crash came after every activity had run: nothing was in flight");

        // Same store, same address: the running worker and client reconnect by themselves.
        await using var second = await TemporaProcess.StartForAsync(_db, port: first.Port, logName: "durability-crash-2");
        _output.WriteLine($"{clock.Elapsed}: second server {second.Address} (log {second.LogFile})");

        for (var i = 0; i < Workflows; i++)
        {
            var events = await DurabilityChecks.AssertCompletedOnceAsync(client, ids[i], runIds[ids[i]], CrashWorkflow.Expected(i))
                .WithTimeout($"workflow {ids[i]} to complete after the restart", TimeSpan.FromSeconds(60));
            DurabilityChecks.AssertActivitiesCompletedOnce(events, Steps);
        }
        _output.WriteLine($"{clock.Elapsed}: all {Workflows} workflows completed once; {activities.TotalExecutions} activity executions for {Workflows * Steps} steps");

        // At least once: every step of every workflow ran on the worker.
        for (var i = 0; i < Workflows; i++)
        {
            for (var step = 1; step <= Steps; step++)
            {
                Assert.True(activities.Executions(i, step) >= 1, $"step {step} of workflow {i} never ran");
            }
        }

        await stopWorker.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running).WithTimeout("the worker to stop");
        Assert.False(second.HasExited);
    }

    [Workflow]
    public class CrashWorkflow
    {
        public static string Expected(int index) => string.Join(",", Enumerable.Range(1, Steps).Select(step => CrashActivities.Result(index, step)));

        [WorkflowRun]
        public async Task<string> RunAsync(int index)
        {
            var parts = new List<string>();
            for (var step = 1; step <= Steps; step++)
            {
                parts.Add(await Workflow.ExecuteActivityAsync((CrashActivities a) => a.StepAsync(index, step), new()
                {
                    StartToCloseTimeout = TimeSpan.FromSeconds(5),
                    RetryPolicy = new RetryPolicy { InitialInterval = TimeSpan.FromMilliseconds(200), MaximumInterval = TimeSpan.FromSeconds(1) },
                }));
            }
            return string.Join(",", parts);
        }
    }

    public class CrashActivities
    {
        private readonly ConcurrentDictionary<(int Index, int Step), int> _executions = new();

        public int TotalExecutions => _executions.Values.Sum();

        public static string Result(int index, int step) => $"{index}.{step}";

        public int Executions(int index, int step) => _executions.GetValueOrDefault((index, step));

        [Activity]
        public async Task<string> StepAsync(int index, int step)
        {
            _executions.AddOrUpdate((index, step), 1, (_, n) => n + 1);
            await Task.Delay(50, ActivityExecutionContext.Current.CancellationToken);
            return Result(index, step);
        }
    }
}
