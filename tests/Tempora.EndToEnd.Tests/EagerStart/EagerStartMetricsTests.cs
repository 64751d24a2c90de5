using Temporalio.Api.Enums.V1;

namespace Tempora.EndToEnd.Tests.EagerStart;

/// <summary>
/// Temporal's workflow_eager_execution and workflow_eager_execution_denied{reason}: every start that asks for eager
/// execution is counted, and one that gets no task back is counted again with why. A server of this class's own (eager
/// start on), so that the counters see only these starts.
/// </summary>
public sealed class EagerStartMetricsTests : IAsyncLifetime
{
    private OwnServer? _own;

    public async Task InitializeAsync() =>
        _own = await OwnServer.StartAsync("eager-metrics", o => o with { EnableEagerWorkflowStart = true });

    public async Task DisposeAsync()
    {
        if (_own is not null)
        {
            await _own.DisposeAsync();
        }
    }

    [Fact]
    public async Task EagerStarts_AreCounted_AndEachFallbackNamesItsReason()
    {
        var own = _own!;
        var taskQueue = ServerFixture.NewTaskQueue("eager-metrics");
        var workflowId = ServerFixture.NewWorkflowId("eager-metrics");
        var requestId = Guid.NewGuid().ToString();

        // Granted: the task comes back.
        var granted = await EagerStartRequests.StartAsync(own.Server.GrpcAddress, EagerStartRequests.Start(workflowId, taskQueue, requestId));
        Assert.NotNull(granted.EagerWorkflowTask);
        await own.Client.WorkflowService.RespondWorkflowTaskCompletedAsync(
            RawWorker.Completion(granted.EagerWorkflowTask.TaskToken, RawWorker.CompleteCommand("done")));
        // A retry after the task was answered: the run exists, its first task is gone.
        var late = await EagerStartRequests.StartAsync(own.Server.GrpcAddress, EagerStartRequests.Start(workflowId, taskQueue, requestId));
        Assert.Null(late.EagerWorkflowTask);
        // A delayed start: its first task waits for the delay.
        var delayedId = ServerFixture.NewWorkflowId("eager-metrics-delay");
        var delayed = EagerStartRequests.Start(delayedId, taskQueue, Guid.NewGuid().ToString());
        delayed.WorkflowStartDelay = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromHours(1));
        Assert.Null((await EagerStartRequests.StartAsync(own.Server.GrpcAddress, delayed)).EagerWorkflowTask);
        // A start that does not ask is not counted.
        var plain = EagerStartRequests.Start(ServerFixture.NewWorkflowId("eager-metrics-plain"), taskQueue, Guid.NewGuid().ToString());
        plain.RequestEagerExecution = false;
        var plainRun = await EagerStartRequests.StartAsync(own.Server.GrpcAddress, plain);

        var scrape = await own.ScrapeAsync();
        var labels = $"namespace=\"default\",taskqueue=\"{taskQueue}\",workflowType=\"RawEager\"";
        Assert.Equal(3, scrape.Value($"workflow_eager_execution{{{labels}}}"));
        Assert.Equal(2, scrape.Value($"workflow_eager_execution_denied{{{labels}}}"));
        Assert.Equal(1, scrape.Value($"workflow_eager_execution_denied{{{labels},reason=\"task_already_dispatched\"}}"));
        Assert.Equal(1, scrape.Value($"workflow_eager_execution_denied{{{labels},reason=\"first_workflow_task_backoff\"}}"));

        await own.Client.GetWorkflowHandle(delayedId).TerminateAsync("test over");
        await own.Client.GetWorkflowHandle(plain.WorkflowId, plainRun.RunId).TerminateAsync("test over");
        Assert.Equal(WorkflowExecutionStatus.Completed, await EagerStartRequests.StatusAsync(own.Client, workflowId, granted.RunId));
    }
}
