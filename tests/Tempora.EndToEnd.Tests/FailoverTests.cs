using System.Diagnostics;
using Temporalio.Activities;
using Temporalio.Client;
using Temporalio.Worker;
using Temporalio.Workflows;
using Xunit.Abstractions;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// Two real `tempora start` processes on one PostgreSQL database: the first owns the shards, the second waits as a
/// standby. SIGKILL the first with workflows in flight; the second takes the shards over within 30 s and every
/// workflow completes exactly once.
/// </summary>
[Collection(nameof(FailoverTests))]
[Trait("Store", "PostgresOnly")]
public sealed class FailoverTests : IDisposable
{
    private const int Workflows = 40;

    private readonly TestDatabase _db = new("failover", postgres: true);
    private readonly ITestOutputHelper _output;

    public FailoverTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task KillNineOfTheActiveProcess_StandbyTakesOverWithin30s_EveryWorkflowCompletesOnce()
    {
        var clock = Stopwatch.StartNew();
        var taskQueue = ServerFixture.NewTaskQueue("failover");
        var activities = new FailoverActivities();
        var options = new TemporaProcessOptions { Postgres = _db.Postgres, SetupSchema = true };

        await using var active = await TemporaProcess.StartAsync(options with { LogName = "failover-active" });
        var standbyStart = TemporaProcess.StartAsync(options with { LogName = "failover-standby" });
        var client = await TemporalClient.ConnectAsync(new(active.Address));
        using var stopFirstWorker = new CancellationTokenSource();
        using var firstWorker = new TemporalWorker(client,
            new TemporalWorkerOptions(taskQueue).AddWorkflow<FailoverWorkflow>().AddAllActivities(activities));
        var firstWorkerRun = firstWorker.ExecuteAsync(stopFirstWorker.Token);

        var handles = await Task.WhenAll(Enumerable.Range(0, Workflows).Select(i =>
            client.StartWorkflowAsync((FailoverWorkflow wf) => wf.RunAsync(i), new(ServerFixture.NewWorkflowId($"failover-{i}"), taskQueue))))
            .WithTimeout("the workflow starts");
        await Wait.UntilAsync(() => Task.FromResult(activities.Executions), n => n >= Workflows / 2, "some activities to run before the kill");

        // The standby is alive but does not serve while the active process holds the leases.
        Assert.False(standbyStart.IsCompleted, "the standby listened while the active process held the shards");

        await active.KillAsync();
        var killedAt = clock.Elapsed;
        _output.WriteLine($"{killedAt}: SIGKILL of the active process after {activities.Executions} activity executions");
        await stopFirstWorker.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => firstWorkerRun).WithTimeout("the first worker to stop");

        await using var standby = await standbyStart.WithTimeout("the standby to take over", TimeSpan.FromSeconds(45));
        var takeover = clock.Elapsed - killedAt;
        _output.WriteLine($"{clock.Elapsed}: standby serving on {standby.Address}, {takeover.TotalSeconds:0.0} s after the kill");
        Assert.True(takeover < TimeSpan.FromSeconds(30), $"takeover took {takeover}");

        var client2 = await TemporalClient.ConnectAsync(new(standby.Address));
        using var secondWorker = new TemporalWorker(client2,
            new TemporalWorkerOptions(taskQueue).AddWorkflow<FailoverWorkflow>().AddAllActivities(activities));
        await secondWorker.ExecuteAsync(async () =>
        {
            for (var i = 0; i < Workflows; i++)
            {
                var events = await DurabilityChecks.AssertCompletedOnceAsync(client2, handles[i].Id, handles[i].ResultRunId!, FailoverWorkflow.Expected(i))
                    .WithTimeout($"workflow {handles[i].Id} after the takeover", TimeSpan.FromSeconds(60));
                DurabilityChecks.AssertActivitiesCompletedOnce(events, 3);
                DurabilityChecks.AssertTimersFiredOnce(events, 1);
            }

            // The new owner takes new work too.
            var fresh = await client2.ExecuteWorkflowAsync((FailoverWorkflow wf) => wf.RunAsync(1000),
                new(ServerFixture.NewWorkflowId("failover-after"), taskQueue)).WithTimeout("a workflow started after the takeover");
            Assert.Equal(FailoverWorkflow.Expected(1000), fresh);
        });
        _output.WriteLine($"{clock.Elapsed}: all {Workflows} workflows completed once");
    }
}

/// <summary>Three activities around a short durable timer; the result depends on the input only.</summary>
[Workflow]
public sealed class FailoverWorkflow
{
    public static string Expected(int n) => $"{n}:a|{n}:b|{n}:c";

    [WorkflowRun]
    public async Task<string> RunAsync(int n)
    {
        var options = new ActivityOptions { StartToCloseTimeout = TimeSpan.FromSeconds(5) };
        var a = await Workflow.ExecuteActivityAsync((FailoverActivities x) => x.Step(n, "a"), options);
        await Workflow.DelayAsync(TimeSpan.FromMilliseconds(500));
        var b = await Workflow.ExecuteActivityAsync((FailoverActivities x) => x.Step(n, "b"), options);
        var c = await Workflow.ExecuteActivityAsync((FailoverActivities x) => x.Step(n, "c"), options);
        return $"{a}|{b}|{c}";
    }
}

public sealed class FailoverActivities
{
    private int _executions;

    public int Executions => Volatile.Read(ref _executions);

    [Activity]
    public async Task<string> Step(int n, string step)
    {
        Interlocked.Increment(ref _executions);
        await Task.Delay(50);
        return $"{n}:{step}";
    }
}
