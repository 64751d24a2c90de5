using Tempora.Server;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using WorkflowExecution = Temporalio.Api.Common.V1.WorkflowExecution;
using Temporalio.Worker;
using Temporalio.Workflows;

namespace Tempora.EndToEnd.Tests;

/// <summary>Tasks waiting in a queue with no poller survive a server restart on the same SQLite file.</summary>
[Collection(nameof(BacklogRestartTests))]
public sealed class BacklogRestartTests : IDisposable
{
    private readonly TestDatabase _database = new("restart");

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task Restart_WorkflowTaskBackloggedWithoutWorker_CompletesOnRestartedServer()
    {
        var workflowId = ServerFixture.NewWorkflowId();
        var taskQueue = ServerFixture.NewTaskQueue();
        string runId;

        await using (var first = await StartAsync("backlog-wft-1"))
        {
            var client = await ServerFixture.ConnectAsync(first);
            var handle = await client.StartWorkflowAsync((HelloWorkflow wf) => wf.RunAsync("backlog"), new(workflowId, taskQueue));
            runId = handle.ResultRunId!;
            await first.StopAsync();
        }

        await using var second = await StartAsync("backlog-wft-2");
        var client2 = await ServerFixture.ConnectAsync(second);
        var handle2 = client2.GetWorkflowHandle<HelloWorkflow>(workflowId, runId);
        using var worker = new TemporalWorker(
            client2,
            new TemporalWorkerOptions(taskQueue).AddWorkflow<HelloWorkflow>().AddAllActivities(new GreetingActivities()));
        var result = await worker.ExecuteAsync(() => handle2.GetResultAsync<string>().WithTimeout("backlogged workflow to run after the restart"));

        Assert.Equal("Hello, backlog!", result);
        var types = (await handle2.EventsAsync()).Types();
        Assert.Equal(EventType.WorkflowExecutionStarted, types[0]);
        Assert.Equal(EventType.WorkflowExecutionCompleted, types[^1]);
    }

    [Fact]
    public async Task Restart_ActivityTaskBackloggedWithoutActivityWorker_CompletesOnRestartedServer()
    {
        var workflowId = ServerFixture.NewWorkflowId();
        var workflowQueue = ServerFixture.NewTaskQueue("wf-q");
        var activityQueue = ServerFixture.NewTaskQueue("act-q");
        string runId;

        await using (var first = await StartAsync("backlog-act-1"))
        {
            var client = await ServerFixture.ConnectAsync(first);
            // Only the workflow is served: the activity it schedules on the other queue stays in the backlog.
            using (var workflowWorker = new TemporalWorker(client, new TemporalWorkerOptions(workflowQueue).AddWorkflow<CrossQueueActivityWorkflow>()))
            {
                runId = await workflowWorker.ExecuteAsync(async () =>
                {
                    var handle = await client.StartWorkflowAsync(
                        (CrossQueueActivityWorkflow wf) => wf.RunAsync("activity backlog", activityQueue),
                        new(workflowId, workflowQueue));
                    await Wait.ForHistoryEventAsync(handle, EventType.ActivityTaskScheduled);
                    return handle.ResultRunId!;
                });
            }

            await first.StopAsync();
        }

        await using var second = await StartAsync("backlog-act-2");
        var client2 = await ServerFixture.ConnectAsync(second);
        var handle2 = client2.GetWorkflowHandle<CrossQueueActivityWorkflow>(workflowId, runId);
        Assert.Equal(WorkflowExecutionStatus.Running, (await handle2.DescribeAsync()).Status);

        using var activityWorker = new TemporalWorker(client2, new TemporalWorkerOptions(activityQueue).AddAllActivities(new GreetingActivities()));
        using var workflowWorker2 = new TemporalWorker(client2, new TemporalWorkerOptions(workflowQueue).AddWorkflow<CrossQueueActivityWorkflow>());
        var result = await activityWorker.ExecuteAsync(() => workflowWorker2.ExecuteAsync(
            () => handle2.GetResultAsync<string>().WithTimeout("backlogged activity to run after the restart")));

        Assert.Equal("Hello, activity backlog!", result);
        var events = await handle2.EventsAsync();
        Assert.Single(events, e => e.EventType == EventType.ActivityTaskScheduled);
        Assert.Contains(events, e => e.EventType == EventType.ActivityTaskCompleted);
        Assert.Equal(EventType.WorkflowExecutionCompleted, events[^1].EventType);
    }

    [Fact]
    public async Task Restart_SignalRequestIdReusedAfterRestart_RecordedOnce()
    {
        var workflowId = ServerFixture.NewWorkflowId();
        var taskQueue = ServerFixture.NewTaskQueue();
        var signal = new SignalWorkflowExecutionRequest
        {
            Namespace = "default",
            WorkflowExecution = new WorkflowExecution { WorkflowId = workflowId },
            SignalName = "Add",
            Identity = "e2e-test",
            RequestId = Guid.NewGuid().ToString(),
        };

        await using (var first = await StartAsync("dedup-1"))
        {
            var client = await ServerFixture.ConnectAsync(first);
            await client.StartWorkflowAsync((CollectSignalsWorkflow wf) => wf.RunAsync(1), new(workflowId, taskQueue));
            signal.Input = new Payloads { Payloads_ = { client.Options.DataConverter.PayloadConverter.ToPayload("once") } };
            await client.Connection.WorkflowService.SignalWorkflowExecutionAsync(signal);
            await first.StopAsync();
        }

        await using var second = await StartAsync("dedup-2");
        var client2 = await ServerFixture.ConnectAsync(second);
        await client2.Connection.WorkflowService.SignalWorkflowExecutionAsync(signal);
        var handle = client2.GetWorkflowHandle<CollectSignalsWorkflow>(workflowId);

        var types = (await handle.EventsAsync()).Types();
        Assert.Single(types, t => t == EventType.WorkflowExecutionSignaled);
        await handle.TerminateAsync("test done");
    }

    private Task<TemporaServer> StartAsync(string logName) =>
        ServerFixture.StartServerAsync(
            _database.Apply(new TemporaOptions { Port = 0, UiPort = 0, MetricsPort = 0, Headless = true }),
            logName);
}

/// <summary>Runs its one activity on a task queue other than the workflow's.</summary>
[Workflow]
public sealed class CrossQueueActivityWorkflow
{
    [WorkflowRun]
    public Task<string> RunAsync(string name, string activityQueue) =>
        Workflow.ExecuteActivityAsync(
            (GreetingActivities a) => a.SayHello(name),
            new ActivityOptions { TaskQueue = activityQueue, StartToCloseTimeout = TimeSpan.FromSeconds(10) });
}
