using System.Collections.Concurrent;
using Temporalio.Activities;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Common;
using Temporalio.Worker;
using Temporalio.Workflows;

namespace Tempora.EndToEnd.Tests;

/// <summary>kill -9 of the real server process while workflows run: nothing acknowledged is lost, nothing completes twice.</summary>
[Collection(nameof(CrashRecoveryTests))]
public sealed class CrashRecoveryTests : IDisposable
{
    private const int Workflows = 20;
    private const int Steps = 3;

    private readonly string _tempDir = TestFiles.NewTempDir();

    public void Dispose() => TestFiles.TryDeleteDirectory(_tempDir);

    [Fact]
    public async Task KillServer_WhileWorkflowsRun_AllCompleteOnceAfterRestart()
    {
        var db = Path.Combine(_tempDir, "tempora.db");
        var taskQueue = ServerFixture.NewTaskQueue("crash");
        var ids = Enumerable.Range(0, Workflows).Select(i => ServerFixture.NewWorkflowId($"crash-{i}")).ToList();
        var runIds = new Dictionary<string, string>();

        await using (var first = await TemporaProcess.StartAsync(db))
        {
            var client = await TemporalClient.ConnectAsync(new(first.Address));
            using var stopWorker = new CancellationTokenSource();
            using var worker = NewWorker(client, taskQueue);
            var running = worker.ExecuteAsync(stopWorker.Token);
            foreach (var id in ids)
            {
                var handle = await client.StartWorkflowAsync((StepsWorkflow wf) => wf.RunAsync(Steps), new(id, taskQueue));
                runIds[id] = handle.ResultRunId!; // acknowledged: must survive the crash
            }
            // Crash in the middle: some workflows done, others mid-way.
            await Wait.UntilAsync(
                () => Task.FromResult(StepsActivities.Executions.Count),
                n => n >= Workflows,
                "a third of the activity steps to run before the crash");
            await first.KillAsync();
            await stopWorker.CancelAsync();
            await Task.WhenAny(running, Task.Delay(TimeSpan.FromSeconds(20)));
        }

        await using var second = await TemporaProcess.StartAsync(db);
        var client2 = await TemporalClient.ConnectAsync(new(second.Address));
        using var worker2 = NewWorker(client2, taskQueue);
        await worker2.ExecuteAsync(async () =>
        {
            foreach (var id in ids)
            {
                var handle = client2.GetWorkflowHandle<StepsWorkflow>(id, runIds[id]);
                var result = await handle.GetResultAsync<int>().WithTimeout($"workflow {id} to finish after the restart", TimeSpan.FromSeconds(60));
                Assert.Equal(Enumerable.Range(1, Steps).Sum(), result);

                var events = await handle.EventsAsync();
                Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.EventId));
                Assert.Single(events, e => e.EventType == EventType.WorkflowExecutionCompleted);
                Assert.Equal(Steps, events.Count(e => e.EventType == EventType.ActivityTaskCompleted));
            }
        });
    }

    private static TemporalWorker NewWorker(ITemporalClient client, string taskQueue) =>
        new(client, new TemporalWorkerOptions(taskQueue).AddWorkflow<StepsWorkflow>().AddAllActivities(new StepsActivities()));

    [Workflow]
    public class StepsWorkflow
    {
        [WorkflowRun]
        public async Task<int> RunAsync(int steps)
        {
            var sum = 0;
            for (var i = 1; i <= steps; i++)
            {
                sum += await Workflow.ExecuteActivityAsync((StepsActivities a) => a.Step(i), new()
                {
                    StartToCloseTimeout = TimeSpan.FromSeconds(3),
                    RetryPolicy = new RetryPolicy { InitialInterval = TimeSpan.FromMilliseconds(200) },
                });
                await Workflow.DelayAsync(TimeSpan.FromMilliseconds(100));
            }
            return sum;
        }
    }

    public class StepsActivities
    {
        public static ConcurrentBag<string> Executions { get; } = [];

        [Activity]
        public int Step(int i)
        {
            Executions.Add($"{ActivityExecutionContext.Current.Info.WorkflowId}/{i}");
            return i;
        }
    }
}
