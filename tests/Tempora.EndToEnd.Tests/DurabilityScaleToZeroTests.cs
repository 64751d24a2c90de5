using System.Diagnostics;
using Temporalio.Activities;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Common;
using Temporalio.Worker;
using Temporalio.Workflows;
using Xunit.Abstractions;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// "Scale to zero": workflows sleep on durable timers, the server is stopped gracefully (SIGTERM) and stays down past
/// the timers' due time, then starts again on the same store with nobody else running. The overdue timers fire within
/// a few seconds of the start and every workflow completes exactly once.
/// </summary>
[Collection(nameof(DurabilityScaleToZeroTests))]
public sealed class DurabilityScaleToZeroTests : IDisposable
{
    private const int Workflows = 20;
    private static readonly TimeSpan Sleep = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan CompletionBound = TimeSpan.FromSeconds(10);

    private readonly TestDatabase _db = new("durability_zero");
    private readonly ITestOutputHelper _output;

    public DurabilityScaleToZeroTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task TimersDueWhileServerStopped_FireSoonAfterStart_EachWorkflowCompletesOnce()
    {
        var clock = Stopwatch.StartNew();
        var taskQueue = ServerFixture.NewTaskQueue("durability-zero");
        var ids = Enumerable.Range(0, Workflows).Select(i => ServerFixture.NewWorkflowId($"durability-zero-{i}")).ToList();
        var runIds = new Dictionary<string, string>();
        DateTime lastDue;

        await using (var first = await TemporaProcess.StartForAsync(_db, logName: "durability-zero-1"))
        {
            _output.WriteLine($"{clock.Elapsed}: first server {first.Address} (log {first.LogFile})");
            var client = await TemporalClient.ConnectAsync(new(first.Address));
            using var stopWorker = new CancellationTokenSource();
            using var worker = NewWorker(client, taskQueue);
            var running = worker.ExecuteAsync(stopWorker.Token);
            for (var i = 0; i < Workflows; i++)
            {
                var handle = await client.StartWorkflowAsync((SleepyWorkflow wf) => wf.RunAsync(i), new(ids[i], taskQueue));
                runIds[ids[i]] = handle.ResultRunId!;
            }

            // Every workflow is asleep on its timer: that is the state the server scales to zero in.
            var started = new List<DateTime>();
            foreach (var id in ids)
            {
                var events = await Wait.ForHistoryEventAsync(client.GetWorkflowHandle(id), EventType.TimerStarted);
                started.Add(events.Single(e => e.EventType == EventType.TimerStarted).EventTime.ToDateTime());
            }
            lastDue = started.Max() + Sleep;
            _output.WriteLine($"{clock.Elapsed}: {Workflows} timers started, first due {started.Min() + Sleep:HH:mm:ss.fff}, last due {lastDue:HH:mm:ss.fff}");

            await stopWorker.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running).WithTimeout("the first worker to stop");
            var exitCode = await first.StopAsync(TimeSpan.FromSeconds(20));
            var stoppedAt = DateTime.UtcNow;
            _output.WriteLine($"{clock.Elapsed}: SIGTERM, exit code {exitCode} at {stoppedAt:HH:mm:ss.fff}");
            Assert.Equal(0, exitCode);
            Assert.True(stoppedAt < started.Min() + Sleep, $"the server took until {stoppedAt:HH:mm:ss.fff} to stop: timers came due before");
        }

        // Down past every due time.
        var wait = lastDue + TimeSpan.FromSeconds(1.5) - DateTime.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }

        var startRequested = DateTime.UtcNow;
        await using var second = await TemporaProcess.StartForAsync(_db, logName: "durability-zero-2");
        var listening = DateTime.UtcNow;
        _output.WriteLine($"{clock.Elapsed}: second server {second.Address} listening {(listening - startRequested).TotalSeconds:0.0}s after the start (log {second.LogFile})");
        var client2 = await TemporalClient.ConnectAsync(new(second.Address));
        using var worker2 = NewWorker(client2, taskQueue);
        await worker2.ExecuteAsync(async () =>
        {
            await Task.WhenAll(ids.Select(id => client2.GetWorkflowHandle(id, runIds[id]).GetResultAsync<string>(followRuns: false)))
                .WithTimeout($"every workflow to complete within {CompletionBound.TotalSeconds}s of the restart", CompletionBound);
            _output.WriteLine($"{clock.Elapsed}: all completed {(DateTime.UtcNow - listening).TotalSeconds:0.0}s after the server listened");

            for (var i = 0; i < Workflows; i++)
            {
                var events = await DurabilityChecks.AssertCompletedOnceAsync(client2, ids[i], runIds[ids[i]], SleepyWorkflow.Expected(i));
                DurabilityChecks.AssertTimersFiredOnce(events, 1);
                DurabilityChecks.AssertActivitiesCompletedOnce(events, 2);
                var fired = events.Single(e => e.EventType == EventType.TimerFired).EventTime.ToDateTime();
                Assert.True(fired >= startRequested, $"timer of {ids[i]} fired at {fired:HH:mm:ss.fff}, before the restart at {startRequested:HH:mm:ss.fff}");
                Assert.True(fired <= listening + TimeSpan.FromSeconds(5), $"timer of {ids[i]} fired at {fired:HH:mm:ss.fff}, late after the restart at {listening:HH:mm:ss.fff}");
            }
        });
    }

    private static TemporalWorker NewWorker(ITemporalClient client, string taskQueue) =>
        new(client, new TemporalWorkerOptions(taskQueue).AddWorkflow<SleepyWorkflow>().AddAllActivities(new SleepyActivities()));

    [Workflow]
    public class SleepyWorkflow
    {
        public static string Expected(int index) => $"before-{index}/after-{index}";

        [WorkflowRun]
        public async Task<string> RunAsync(int index)
        {
            var options = new ActivityOptions
            {
                StartToCloseTimeout = TimeSpan.FromSeconds(5),
                RetryPolicy = new RetryPolicy { InitialInterval = TimeSpan.FromMilliseconds(200), MaximumInterval = TimeSpan.FromSeconds(1) },
            };
            var before = await Workflow.ExecuteActivityAsync((SleepyActivities a) => a.Before(index), options);
            await Workflow.DelayAsync(Sleep);
            var after = await Workflow.ExecuteActivityAsync((SleepyActivities a) => a.After(index), options);
            return $"{before}/{after}";
        }
    }

    public class SleepyActivities
    {
        [Activity]
        public string Before(int index) => $"before-{index}";

        [Activity]
        public string After(int index) => $"after-{index}";
    }
}
