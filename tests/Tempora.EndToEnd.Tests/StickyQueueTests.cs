using Temporalio.Api.Common.V1;
using WorkflowExecution = Temporalio.Api.Common.V1.WorkflowExecution;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Worker;

namespace Tempora.EndToEnd.Tests;

/// <summary>Sticky queues of cached workflows: hand-over at worker shutdown and explicit reset.</summary>
[Collection(ServerCollection.Name)]
public sealed class StickyQueueTests(ServerFixture fixture)
{
    private TemporalClient Client => fixture.Client;

    [Fact]
    public async Task ShutdownWorker_StickyWorkerStopsMidWorkflow_NextTaskGoesToNewWorkerWithoutStickyTimeout()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var workflowId = ServerFixture.NewWorkflowId();
        WorkflowHandle<CollectSignalsWorkflow, List<string>> handle;

        // Worker A keeps the workflow cached (default MaxCachedWorkflows), so its tasks go to A's sticky queue.
        using (var workerA = NewWorker(taskQueue))
        {
            handle = await workerA.ExecuteAsync(async () =>
            {
                var h = await Client.StartWorkflowAsync((CollectSignalsWorkflow wf) => wf.RunAsync(2), new(workflowId, taskQueue));
                // The first task done before the signal, so that the signal's task is scheduled on A's sticky queue (a
                // signal that arrives before the first task starts rides in that task, and no task would be sticky).
                await Wait.ForHistoryEventAsync(h, EventType.WorkflowTaskCompleted);
                await h.SignalAsync(wf => wf.AddAsync("on A"));
                await Wait.UntilAsync(
                    () => h.QueryAsync(wf => wf.Values()),
                    v => v.Count == 1,
                    "worker A to process the first signal");
                return h;
            });
        }

        // Leaving ExecuteAsync shut worker A down gracefully; the SDK calls ShutdownWorker for its sticky queue.
        using var workerB = NewWorker(taskQueue);
        var result = await workerB.ExecuteAsync(async () =>
        {
            await handle.SignalAsync(wf => wf.AddAsync("on B"));
            return await handle.GetResultAsync().WithTimeout("worker B to finish the workflow");
        });

        Assert.Equal(["on A", "on B"], result);
        var events = await handle.EventsAsync();
        Assert.Contains(events, e => e.WorkflowTaskScheduledEventAttributes?.TaskQueue.Kind == TaskQueueKind.Sticky); // A really was sticky
        var types = events.Types();
        Assert.DoesNotContain(EventType.WorkflowTaskTimedOut, types);
        Assert.Equal(EventType.WorkflowExecutionCompleted, types[^1]);
    }

    [Fact]
    public async Task Query_StickyWorkerShutDownAndNewWorkerStarted_AnsweredBeforeStickyTimeout()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        WorkflowHandle<CollectSignalsWorkflow, List<string>> handle;
        using (var workerA = NewWorker(taskQueue))
        {
            handle = await workerA.ExecuteAsync(async () =>
            {
                var h = await Client.StartWorkflowAsync((CollectSignalsWorkflow wf) => wf.RunAsync(2), new(ServerFixture.NewWorkflowId(), taskQueue));
                await h.SignalAsync(wf => wf.AddAsync("seen by A"));
                await Wait.UntilAsync(() => h.QueryAsync(wf => wf.Values()), v => v.Count == 1, "worker A to process the signal");
                return h;
            });
        }

        using var workerB = NewWorker(taskQueue);
        var values = await workerB.ExecuteAsync(async () =>
        {
            // A's sticky queue was unloaded by ShutdownWorker, so the query must not sit there for the 10 s sticky timeout.
            var v = await handle.QueryAsync(wf => wf.Values()).WithTimeout("query to be answered by worker B", TimeSpan.FromSeconds(8));
            await handle.TerminateAsync("test done");
            return v;
        });

        Assert.Equal(["seen by A"], values);
    }

    [Fact]
    public async Task ResetStickyTaskQueue_RunningWorkflow_ReturnsOkAndWorkflowContinues()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        using var worker = NewWorker(taskQueue);

        var (handle, result) = await worker.ExecuteAsync(async () =>
        {
            var h = await Client.StartWorkflowAsync((CollectSignalsWorkflow wf) => wf.RunAsync(1), new(ServerFixture.NewWorkflowId(), taskQueue));
            await Wait.ForHistoryEventAsync(h, EventType.WorkflowTaskCompleted);

            await Client.Connection.WorkflowService.ResetStickyTaskQueueAsync(new ResetStickyTaskQueueRequest
            {
                Namespace = "default",
                Execution = new WorkflowExecution { WorkflowId = h.Id, RunId = h.ResultRunId },
            });

            await h.SignalAsync(wf => wf.AddAsync("after reset"));
            return (h, await h.GetResultAsync().WithTimeout("workflow to finish after its sticky queue was reset"));
        });

        Assert.Equal(["after reset"], result);
        Assert.DoesNotContain(EventType.WorkflowTaskTimedOut, (await handle.EventsAsync()).Types());
    }

    // Sticky queues exist only with the worker's cache on, so these tests keep it on in the cache-off pass too.
    private TemporalWorker NewWorker(string taskQueue) =>
        new(Client, new TemporalWorkerOptions(taskQueue) { MaxCachedWorkflows = 1000 }.AddWorkflow<CollectSignalsWorkflow>());
}
