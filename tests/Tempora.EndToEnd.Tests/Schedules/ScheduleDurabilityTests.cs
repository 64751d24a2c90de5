using Npgsql;
using Temporalio.Client;
using Temporalio.Client.Schedules;
using Temporalio.Common;
using Xunit.Abstractions;

namespace Tempora.EndToEnd.Tests.Schedules;

/// <summary>
/// Schedules across crashes of the real server process: kill -9 while a schedule fires every second, restart on the
/// same store; the catch-up after downtime within (and beyond) the catch-up window; on PostgreSQL, kill the replica
/// that drives a schedule and the other takes it over. Every due time is started exactly once: never twice, and never
/// lost unless the catch-up window dropped it (then it is counted as missed).
/// </summary>
[Collection(nameof(ScheduleDurabilityTests))]
public sealed class ScheduleDurabilityTests(ITestOutputHelper output) : IDisposable
{
    private static readonly SearchAttributeKey<DateTimeOffset> ScheduledStartTime = SearchAttributeKey.CreateDateTimeOffset("TemporalScheduledStartTime");

    private readonly TestDatabase _db = new("schedule_durability");

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task KillNineWhileFiring_TwiceWithDowntime_EachDueTimeStartedExactlyOnce()
    {
        var id = ServerFixture.NewWorkflowId("sched-crash");
        var server = await TemporaProcess.StartForAsync(_db, logName: "schedule-crash-1");
        var port = server.Port;
        try
        {
            var client = await TemporalClient.ConnectAsync(new(server.Address));
            var handle = await client.CreateScheduleAsync(id, EverySecond(id));
            for (var crash = 1; crash <= 2; crash++)
            {
                await Wait.UntilAsync(() => handle.DescribeAsync(), d => d.Info.NumActions >= 2 * crash, "the schedule to fire");
                // Land the kill at a different point of the second each time.
                await Task.Delay(Random.Shared.Next(0, 1000));
                await server.KillAsync();
                await server.DisposeAsync();
                await Task.Delay(TimeSpan.FromSeconds(2)); // due times pass while it is down
                server = await TemporaProcess.StartAsync(Restart(port, $"schedule-crash-{crash + 1}"));
                client = await TemporalClient.ConnectAsync(new(server.Address));
                handle = client.GetScheduleHandle(id);
            }
            await Wait.UntilAsync(() => handle.DescribeAsync(), d => d.Info.NumActions >= 8, "the schedule to fire after the restarts");
            await handle.PauseAsync();
            var description = await handle.DescribeAsync();
            // Visibility may trail the schedule by a moment (PostgreSQL applies it after the commit).
            var nominal = await Wait.UntilAsync(() => ScheduledTimesAsync(client, id), n => n.Count >= description.Info.NumActions,
                "every run to be listed");
            output.WriteLine($"{nominal.Count} runs from {nominal[0]:O} to {nominal[^1]:O}; {description.Info.NumActions} actions");

            // Once each: one run per workflow id (its id carries the due time), and as many as the schedule counted.
            Assert.Equal(nominal.Count, nominal.Distinct().Count());
            Assert.Equal(description.Info.NumActions, nominal.Count);
            Assert.Equal(0, description.Info.NumActionsMissedCatchupWindow);
            // None lost: the due times make an unbroken series of seconds, the downtime's caught up.
            for (var i = 1; i < nominal.Count; i++)
            {
                Assert.Equal(TimeSpan.FromSeconds(1), nominal[i] - nominal[i - 1]);
            }
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task DowntimeLongerThanTheCatchupWindow_OldDueTimesAreMissedAndCounted_RecentOnesRun()
    {
        var id = ServerFixture.NewWorkflowId("sched-catchup");
        var server = await TemporaProcess.StartForAsync(_db, logName: "schedule-catchup-1");
        try
        {
            var client = await TemporalClient.ConnectAsync(new(server.Address));
            var schedule = EverySecond(id);
            schedule = schedule with { Policy = schedule.Policy with { CatchupWindow = TimeSpan.FromSeconds(10) } };
            var handle = await client.CreateScheduleAsync(id, schedule);
            await Wait.UntilAsync(() => handle.DescribeAsync(), d => d.Info.NumActions >= 1, "the schedule to fire");
            await server.StopAsync();
            await server.DisposeAsync();
            var down = DateTimeOffset.UtcNow;
            await Task.Delay(TimeSpan.FromSeconds(14));
            // A fresh port: during 14 s of downtime another test's server may take the old one (nothing here needs it).
            server = await TemporaProcess.StartAsync(Restart(0, "schedule-catchup-2"));
            client = await TemporalClient.ConnectAsync(new(server.Address));
            handle = client.GetScheduleHandle(id);
            var description = await Wait.UntilAsync(() => handle.DescribeAsync(), d => d.Info.NumActionsMissedCatchupWindow > 0,
                "due times older than the window to be counted as missed");
            await handle.PauseAsync();
            var nominal = await ScheduledTimesAsync(client, id);
            Assert.Equal(nominal.Count, nominal.Distinct().Count());
            // The first seconds of the downtime are beyond the window; its last ten seconds were caught up.
            Assert.Contains(nominal, t => t > down + TimeSpan.FromSeconds(5) && t < down + TimeSpan.FromSeconds(13));
            Assert.DoesNotContain(nominal, t => t > down + TimeSpan.FromSeconds(1) && t < down + TimeSpan.FromSeconds(3));
            output.WriteLine($"missed {description.Info.NumActionsMissedCatchupWindow}, ran {nominal.Count}");
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    [Fact]
    [Trait("Store", "PostgresOnly")]
    public async Task TwoReplicas_KillTheScheduleOwner_TheOtherKeepsFiringOncePerDueTime()
    {
        using var db = new TestDatabase("schedule_failover", postgres: true);
        var id = ServerFixture.NewWorkflowId("sched-failover");
        var options = new TemporaProcessOptions { Postgres = db.Postgres, SetupSchema = true };
        await using var first = await TemporaProcess.StartAsync(options with { LogName = "schedule-failover-a" });
        await using var second = await TemporaProcess.StartAsync(options with { LogName = "schedule-failover-b" });
        var firstClient = await TemporalClient.ConnectAsync(new(first.Address));
        var secondClient = await TemporalClient.ConnectAsync(new(second.Address));
        await firstClient.CreateScheduleAsync(id, EverySecond(id));
        await Wait.UntilAsync(() => firstClient.GetScheduleHandle(id).DescribeAsync(), d => d.Info.NumActions >= 3, "the schedule to fire");

        var owner = await Wait.UntilAsync(() => OwnerAddressAsync(db, id), a => a is not null, "the schedule's shard to have an owner");
        var (victim, survivor) = owner == first.Address ? (first, secondClient) : (second, firstClient);
        output.WriteLine($"schedule driven by {owner}; killing it");
        await victim.KillAsync();
        var killedAt = DateTimeOffset.UtcNow;
        var handle = survivor.GetScheduleHandle(id);
        await Wait.UntilAsync(async () => (await ScheduledTimesAsync(survivor, id)).Count(t => t > killedAt + TimeSpan.FromSeconds(2)),
            n => n >= 3, "the survivor to fire the schedule", TimeSpan.FromSeconds(60));
        await handle.PauseAsync();
        var nominal = await ScheduledTimesAsync(survivor, id);
        Assert.Equal(nominal.Count, nominal.Distinct().Count());
        for (var i = 1; i < nominal.Count; i++)
        {
            Assert.Equal(TimeSpan.FromSeconds(1), nominal[i] - nominal[i - 1]);
        }
    }

    /// <summary>Every second, every run allowed to overlap (no worker runs them: they stay open), default catch-up.</summary>
    private static Schedule EverySecond(string id) => new(
        ScheduleActionStartWorkflow.Create((ScheduledEchoWorkflow wf) => wf.RunAsync(), new(id + "-run", ServerFixture.NewTaskQueue("nobody"))),
        new ScheduleSpec { Intervals = [new ScheduleIntervalSpec(TimeSpan.FromSeconds(1))] })
    {
        Policy = new SchedulePolicy { Overlap = Temporalio.Api.Enums.V1.ScheduleOverlapPolicy.AllowAll },
    };

    private TemporaProcessOptions Restart(int port, string logName) => _db.Postgres is { } pg
        ? new TemporaProcessOptions { Postgres = pg, Port = port, LogName = logName }
        : new TemporaProcessOptions { DbFile = _db.DbFile, Port = port, LogName = logName };

    /// <summary>The due times of every run the schedule started, in order (one entry per run).</summary>
    private static async Task<List<DateTimeOffset>> ScheduledTimesAsync(TemporalClient client, string id)
    {
        var times = new List<DateTimeOffset>();
        await foreach (var run in client.ListWorkflowsAsync($"TemporalScheduledById = '{id}'"))
        {
            times.Add(run.TypedSearchAttributes.Get(ScheduledStartTime));
        }
        times.Sort();
        return times;
    }

    private static async Task<string?> OwnerAddressAsync(TestDatabase db, string scheduleId)
    {
        await using var conn = new NpgsqlConnection(db.Postgres!.ConnectionString(db.Postgres.Database));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("""
            SELECT m.address FROM schedules c
            JOIN shards s ON s.shard_id = c.shard_id
            JOIN cluster_members m ON m.owner = s.owner
            WHERE c.schedule_id = $1 AND s.lease_expires_at > now()
            """, conn);
        cmd.Parameters.AddWithValue(scheduleId);
        return (string?)await cmd.ExecuteScalarAsync();
    }
}
