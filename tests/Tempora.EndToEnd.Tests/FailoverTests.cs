using System.Diagnostics;
using Npgsql;
using Temporalio.Activities;
using Temporalio.Client;
using Temporalio.Worker;
using Temporalio.Workflows;
using Xunit.Abstractions;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// Two real `tempora start` processes on one PostgreSQL database share the work: each owns half of the shards, and
/// each has a worker and a client of its own. SIGKILL one with workflows in flight; the other takes its shards over
/// within 30 s and every workflow completes exactly once.
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
    public async Task TwoReplicasShareTheShards_KillNineOfOne_TheOtherTakesOverWithin30s_EveryWorkflowCompletesOnce()
    {
        var clock = Stopwatch.StartNew();
        var taskQueue = ServerFixture.NewTaskQueue("failover");
        var activities = new FailoverActivities();
        var options = new TemporaProcessOptions { Postgres = _db.Postgres, SetupSchema = true };

        await using var survivor = await TemporaProcess.StartAsync(options with { LogName = "failover-survivor" });
        await using var victim = await TemporaProcess.StartAsync(options with { LogName = "failover-victim" });
        var owners = await Wait.UntilAsync(ShardOwnersAsync, o => o.Count == 2, "the two processes to split the shards");
        _output.WriteLine($"{clock.Elapsed}: shards split: {string.Join("; ", owners.Select(o => $"{o.Key} owns {o.Value}"))}");
        Assert.All(owners.Values, count => Assert.Equal(2, count));

        // A worker and a client on each process, as behind a load balancer; workflows start through both.
        var survivorClient = await TemporalClient.ConnectAsync(new(survivor.Address));
        var victimClient = await TemporalClient.ConnectAsync(new(victim.Address));
        using var stopVictimWorker = new CancellationTokenSource();
        using var victimWorker = new TemporalWorker(victimClient,
            new TemporalWorkerOptions(taskQueue).AddWorkflow<FailoverWorkflow>().AddAllActivities(activities));
        var victimWorkerRun = victimWorker.ExecuteAsync(stopVictimWorker.Token);
        using var stopSurvivorWorker = new CancellationTokenSource();
        using var survivorWorker = new TemporalWorker(survivorClient,
            new TemporalWorkerOptions(taskQueue).AddWorkflow<FailoverWorkflow>().AddAllActivities(activities));
        var survivorWorkerRun = survivorWorker.ExecuteAsync(stopSurvivorWorker.Token);

        var handles = await Task.WhenAll(Enumerable.Range(0, Workflows).Select(i =>
            (i % 2 == 0 ? survivorClient : victimClient).StartWorkflowAsync((FailoverWorkflow wf) => wf.RunAsync(i),
                new(ServerFixture.NewWorkflowId($"failover-{i}"), taskQueue))))
            .WithTimeout("the workflow starts");
        await Wait.UntilAsync(() => Task.FromResult(activities.Executions), n => n >= Workflows / 2, "some activities to run before the kill");

        await victim.KillAsync();
        var killedAt = clock.Elapsed;
        _output.WriteLine($"{killedAt}: SIGKILL of one process after {activities.Executions} activity executions");

        // Right away, before the survivor owns the dead process's shards, the survivor's clients keep working: a
        // request for one of those shards waits at the survivor for the takeover instead of failing.
        var duringTakeover = await Task.WhenAll(Enumerable.Range(Workflows, Workflows / 4).Select(i =>
            survivorClient.StartWorkflowAsync((FailoverWorkflow wf) => wf.RunAsync(i),
                new(ServerFixture.NewWorkflowId($"failover-{i}"), taskQueue))))
            .WithTimeout("the starts right after the kill", TimeSpan.FromSeconds(60));
        handles = [.. handles, .. duringTakeover];
        await stopVictimWorker.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => victimWorkerRun).WithTimeout("the killed process's worker to stop");

        await Wait.UntilAsync(ShardOwnersAsync, o => o.Count == 1 && o.Values.Single() == 4, "the survivor to own every shard",
            TimeSpan.FromSeconds(45));
        var takeover = clock.Elapsed - killedAt;
        _output.WriteLine($"{clock.Elapsed}: the survivor owns all shards, {takeover.TotalSeconds:0.0} s after the kill");
        Assert.True(takeover < TimeSpan.FromSeconds(30), $"takeover took {takeover}");

        for (var i = 0; i < handles.Length; i++)
        {
            var events = await DurabilityChecks.AssertCompletedOnceAsync(survivorClient, handles[i].Id, handles[i].ResultRunId!, FailoverWorkflow.Expected(i))
                .WithTimeout($"workflow {handles[i].Id} after the takeover", TimeSpan.FromSeconds(60));
            DurabilityChecks.AssertActivitiesCompletedOnce(events, 3);
            DurabilityChecks.AssertTimersFiredOnce(events, 1);
        }

        // The survivor takes new work too.
        var fresh = await survivorClient.ExecuteWorkflowAsync((FailoverWorkflow wf) => wf.RunAsync(1000),
            new(ServerFixture.NewWorkflowId("failover-after"), taskQueue)).WithTimeout("a workflow started after the takeover");
        Assert.Equal(FailoverWorkflow.Expected(1000), fresh);
        await stopSurvivorWorker.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => survivorWorkerRun).WithTimeout("the survivor's worker to stop");

        _output.WriteLine($"{clock.Elapsed}: all {Workflows} workflows completed once");
    }

    /// <summary>Live shard leases per owner, read from the database.</summary>
    private async Task<Dictionary<string, int>> ShardOwnersAsync()
    {
        await using var conn = new NpgsqlConnection(_db.Postgres!.ConnectionString(_db.Postgres.Database));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT owner, count(*) FROM shards WHERE owner IS NOT NULL AND lease_expires_at > now() GROUP BY owner", conn);
        await using var r = await cmd.ExecuteReaderAsync();
        var owners = new Dictionary<string, int>(StringComparer.Ordinal);
        while (await r.ReadAsync())
        {
            owners[r.GetString(0)] = (int)r.GetInt64(1);
        }
        return owners;
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
