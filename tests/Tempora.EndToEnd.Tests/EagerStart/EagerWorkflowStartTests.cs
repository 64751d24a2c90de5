using Google.Protobuf;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Worker;
using Tempora.History;

namespace Tempora.EndToEnd.Tests.EagerStart;

/// <summary>
/// Eager workflow start (system.enableEagerWorkflowStart, on in the shared fixture): a start that asks for it gets its
/// run's first workflow task in the response, recorded as started by the starter in the start's own write, so the
/// worker runs it without a poll. On a cluster the workflow ids are picked on another replica's shards, so the start
/// is forwarded and the task must come back through the forwarding.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class EagerWorkflowStartTests(ServerFixture fixture)
{
    private TemporalClient Client => fixture.Client;

    /// <summary>A workflow id whose shard the request's first replica does not own, on a cluster (forwarded starts).</summary>
    private async Task<string> WorkflowIdAsync(string prefix)
    {
        if (ServerFixture.Replicas == 1)
        {
            return ServerFixture.NewWorkflowId(prefix);
        }
        var namespaceId = await EagerStartRequests.NamespaceIdAsync(Client);
        return ReplicaTests.WorkflowIdOnShards(namespaceId, fixture.AllServers[1].OwnedShards, prefix);
    }

    [Fact]
    public async Task SdkEagerStart_WorkerRunsTheFirstTaskFromTheResponse_AndTheWorkflowCompletes()
    {
        var taskQueue = ServerFixture.NewTaskQueue("eager-start");
        // The worker's identity differs from the client's: a task it polled would name the worker, an eager one names
        // the starter (the start request's identity), as Temporal records it.
        using var worker = new TemporalWorker(Client, new TemporalWorkerOptions(taskQueue) { Identity = "e2e-eager-worker" }
            .AddWorkflow<HelloWorkflow>()
            .AddAllActivities(new GreetingActivities()));
        await worker.ExecuteAsync(async () =>
        {
            var handle = await Client.StartWorkflowAsync((HelloWorkflow wf) => wf.RunAsync("eager"),
                new(await WorkflowIdAsync("eager-sdk"), taskQueue) { RequestEagerStart = true });
            Assert.Equal("Hello, eager!", await handle.GetResultAsync());

            var events = (await handle.FetchHistoryAsync()).Events;
            var first = events.First(e => e.EventType == EventType.WorkflowTaskStarted);
            Assert.Equal(3, first.EventId);
            Assert.Equal(Client.Connection.Options.Identity, first.WorkflowTaskStartedEventAttributes.Identity);
            // The worker completed the eager task with its sticky queue, so the next task went there (the run stayed
            // in its cache) and was polled by the worker; with the worker's cache off, to the normal queue.
            var later = events.Where(e => e.EventType == EventType.WorkflowTaskScheduled && e.EventId > 3).ToList();
            Assert.NotEmpty(later);
            var kind = TemporalWorkerOptions.CacheDisabled ? TaskQueueKind.Normal : TaskQueueKind.Sticky;
            Assert.All(later, e => Assert.Equal(kind, e.WorkflowTaskScheduledEventAttributes.TaskQueue.Kind));
            Assert.All(events.Where(e => e.EventType == EventType.WorkflowTaskStarted && e.EventId != 3),
                e => Assert.Equal("e2e-eager-worker", e.WorkflowTaskStartedEventAttributes.Identity));
        });
    }

    [Fact]
    public async Task RawEagerStart_ResponseCarriesTheStartedTask_RetryGetsItAgain_UseExistingGetsNone()
    {
        var taskQueue = ServerFixture.NewTaskQueue("eager-raw");
        var workflowId = await WorkflowIdAsync("eager-raw");
        var requestId = Guid.NewGuid().ToString();

        var response = await EagerStartRequests.StartAsync(fixture.Server.GrpcAddress, EagerStartRequests.Start(workflowId, taskQueue, requestId));

        Assert.True(response.Started);
        var task = response.EagerWorkflowTask;
        Assert.NotNull(task);
        Assert.False(task.TaskToken.IsEmpty);
        Assert.Equal(workflowId, task.WorkflowExecution.WorkflowId);
        Assert.Equal(response.RunId, task.WorkflowExecution.RunId);
        Assert.Equal("RawEager", task.WorkflowType.Name);
        Assert.Equal(0, task.PreviousStartedEventId);
        Assert.Equal(3, task.StartedEventId);
        Assert.Equal(1, task.Attempt);
        Assert.Equal(taskQueue, task.WorkflowExecutionTaskQueue.Name);
        Assert.Equal(
            [EventType.WorkflowExecutionStarted, EventType.WorkflowTaskScheduled, EventType.WorkflowTaskStarted],
            task.History.Events.Select(e => e.EventType));
        var started = task.History.Events[2].WorkflowTaskStartedEventAttributes;
        Assert.Equal(EagerStartRequests.Identity, started.Identity);
        Assert.Equal(requestId, started.RequestId);

        // A retry of the same request (its response was lost) gets the same task back while it is unanswered, as
        // Temporal's respondToRetriedRequest.
        var retried = await EagerStartRequests.StartAsync(fixture.Server.GrpcAddress, EagerStartRequests.Start(workflowId, taskQueue, requestId));
        Assert.Equal(response.RunId, retried.RunId);
        Assert.Equal(3, retried.EagerWorkflowTask?.StartedEventId);

        // Another start that finds the run (USE_EXISTING) creates nothing, so it gets no task.
        var existing = EagerStartRequests.Start(workflowId, taskQueue, Guid.NewGuid().ToString());
        existing.WorkflowIdConflictPolicy = WorkflowIdConflictPolicy.UseExisting;
        var used = await EagerStartRequests.StartAsync(fixture.Server.GrpcAddress, existing);
        Assert.False(used.Started);
        Assert.Equal(response.RunId, used.RunId);
        Assert.Null(used.EagerWorkflowTask);

        // The eager task's token is a real one: completing with it closes the run, and nothing reached the queue.
        await Client.WorkflowService.RespondWorkflowTaskCompletedAsync(RawWorker.Completion(task.TaskToken, RawWorker.CompleteCommand("done")));
        Assert.Equal(WorkflowExecutionStatus.Completed, await EagerStartRequests.StatusAsync(Client, workflowId, response.RunId));
        var poll = await RawWorker.PollWorkflowTaskAsync(Client, taskQueue, TimeSpan.FromSeconds(2));
        Assert.True(poll.TaskToken.IsEmpty);

        // Once the task was answered, a retry of the start gets no task.
        var late = await EagerStartRequests.StartAsync(fixture.Server.GrpcAddress, EagerStartRequests.Start(workflowId, taskQueue, requestId));
        Assert.Equal(response.RunId, late.RunId);
        Assert.Null(late.EagerWorkflowTask);
    }

    [Fact]
    public async Task EagerStart_WithAStartDelay_GetsNoTask()
    {
        var taskQueue = ServerFixture.NewTaskQueue("eager-delay");
        var workflowId = await WorkflowIdAsync("eager-delay");
        var request = EagerStartRequests.Start(workflowId, taskQueue, Guid.NewGuid().ToString());
        request.WorkflowStartDelay = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromHours(1));

        var response = await EagerStartRequests.StartAsync(fixture.Server.GrpcAddress, request);

        Assert.True(response.Started);
        Assert.Null(response.EagerWorkflowTask);
        await Client.GetWorkflowHandle(workflowId, response.RunId).TerminateAsync("test over");
    }

    [Fact]
    public async Task Capabilities_AdvertiseEagerStart_WhenOn()
    {
        var info = await Client.WorkflowService.GetSystemInfoAsync(new GetSystemInfoRequest());
        Assert.True(info.Capabilities.EagerWorkflowStart);
        var ns = await Client.WorkflowService.DescribeNamespaceAsync(new DescribeNamespaceRequest { Namespace = "default" });
        Assert.True(ns.NamespaceInfo.Capabilities.EagerWorkflowStart);
    }
}
