using System.Diagnostics;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Worker;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// ShutdownWorker ends the worker's outstanding polls with empty answers (matched by worker_instance_key, as Temporal's
/// matching CancelOutstandingWorkerPolls does), so the namespace advertises worker_poll_complete_on_shutdown and Core
/// may let its polls return instead of dropping them.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class WorkerShutdownTests(ServerFixture fixture)
{
    private TemporalClient Client => fixture.Client;

    [Fact]
    public async Task ShutdownWorker_OutstandingPollsOfThatWorker_AnsweredEmptyAtOnce()
    {
        var taskQueue = ServerFixture.NewTaskQueue("shutdown");
        var sticky = ServerFixture.NewTaskQueue("shutdown-sticky");
        var key = Guid.NewGuid().ToString();
        var otherKey = Guid.NewGuid().ToString();
        var service = Client.Connection.WorkflowService;
        var options = new RpcOptions { Timeout = TimeSpan.FromSeconds(70) };
        var workflowPoll = service.PollWorkflowTaskQueueAsync(WorkflowPoll(taskQueue, TaskQueueKind.Normal, key), options);
        var stickyPoll = service.PollWorkflowTaskQueueAsync(WorkflowPoll(sticky, TaskQueueKind.Sticky, key), options);
        var activityPoll = service.PollActivityTaskQueueAsync(new PollActivityTaskQueueRequest
        {
            Namespace = Client.Options.Namespace,
            TaskQueue = RawWorker.NormalQueue(taskQueue),
            Identity = RawWorker.Identity,
            WorkerInstanceKey = key,
        }, options);
        using var stopOther = new CancellationTokenSource();
        var otherWorkersPoll = service.PollWorkflowTaskQueueAsync(WorkflowPoll(taskQueue, TaskQueueKind.Normal, otherKey),
            new RpcOptions { Timeout = TimeSpan.FromSeconds(70), CancellationToken = stopOther.Token });
        await Wait.UntilAsync(
            async () => (await service.DescribeTaskQueueAsync(new DescribeTaskQueueRequest
            {
                Namespace = Client.Options.Namespace,
                TaskQueue = RawWorker.NormalQueue(taskQueue),
                TaskQueueType = TaskQueueType.Activity,
            })).Pollers.Count,
            count => count > 0,
            "the activity poll to reach the server");

        var clock = Stopwatch.StartNew();
        await service.ShutdownWorkerAsync(new ShutdownWorkerRequest
        {
            Namespace = Client.Options.Namespace,
            Identity = RawWorker.Identity,
            StickyTaskQueue = sticky,
            WorkerInstanceKey = key,
            TaskQueue = taskQueue,
            TaskQueueTypes = { TaskQueueType.Workflow, TaskQueueType.Activity },
        });

        var limit = TimeSpan.FromSeconds(5);
        Assert.True((await workflowPoll.WithTimeout("the workflow poll to be answered", limit)).TaskToken.IsEmpty);
        Assert.True((await stickyPoll.WithTimeout("the sticky poll to be answered", limit)).TaskToken.IsEmpty);
        Assert.True((await activityPoll.WithTimeout("the activity poll to be answered", limit)).TaskToken.IsEmpty);
        Assert.True(clock.Elapsed < limit, $"polls took {clock.Elapsed} to end");
        Assert.False(otherWorkersPoll.IsCompleted, "another worker's poll must keep waiting");

        // A poll of the shut-down worker that arrives late is answered at once as well.
        clock.Restart();
        var late = await service.PollWorkflowTaskQueueAsync(WorkflowPoll(taskQueue, TaskQueueKind.Normal, key), options)
            .WithTimeout("a late poll of the shut-down worker", limit);
        Assert.True(late.TaskToken.IsEmpty);
        Assert.False(otherWorkersPoll.IsCompleted, "another worker's poll must still be waiting");
        await stopOther.CancelAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => otherWorkersPoll.WithTimeout("the other worker's poll to be called off"));
    }

    [Fact]
    public async Task DescribeNamespace_Capabilities_AreExactlyWhatWorks()
    {
        var described = await Client.Connection.WorkflowService.DescribeNamespaceAsync(new DescribeNamespaceRequest { Namespace = Client.Options.Namespace });

        // Not worker_poll_complete_on_shutdown: with it Core waits for polls this server cannot end (its Nexus poller,
        // answered Unimplemented here; any poll while the server is down), and worker shutdown hangs. Eager workflow
        // start: the fixture runs with system.enableEagerWorkflowStart on.
        Assert.Equal(new Temporalio.Api.Namespace.V1.NamespaceInfo.Types.Capabilities { SyncUpdate = true, AsyncUpdate = true, EagerWorkflowStart = true },
            described.NamespaceInfo.Capabilities);
    }

    [Fact]
    public async Task WorkerShutdown_PollsOutstanding_EndsPromptly()
    {
        // A worker's shutdown is prompt: its polls end (Core calls them off; the server ends them too on ShutdownWorker).
        var taskQueue = ServerFixture.NewTaskQueue("shutdown-sdk");
        using var worker = new TemporalWorker(Client, new TemporalWorkerOptions(taskQueue).AddWorkflow<WaitForeverWorkflow>());
        var clock = new Stopwatch();
        var handle = await worker.ExecuteAsync(async () =>
        {
            var h = await Client.StartWorkflowAsync((WaitForeverWorkflow wf) => wf.RunAsync(), new(ServerFixture.NewWorkflowId("shutdown-sdk"), taskQueue));
            await Wait.ForHistoryEventAsync(h, EventType.WorkflowTaskCompleted);
            clock.Start();
            return h;
        }).WithTimeout("the worker to shut down");

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"shutdown took {clock.Elapsed}");
        await handle.TerminateAsync("done");
    }

    private PollWorkflowTaskQueueRequest WorkflowPoll(string taskQueue, TaskQueueKind kind, string workerInstanceKey) => new()
    {
        Namespace = Client.Options.Namespace,
        TaskQueue = new Temporalio.Api.TaskQueue.V1.TaskQueue { Name = taskQueue, Kind = kind },
        Identity = RawWorker.Identity,
        WorkerInstanceKey = workerInstanceKey,
    };
}
