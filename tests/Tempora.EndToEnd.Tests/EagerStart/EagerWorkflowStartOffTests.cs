using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.EndToEnd.Tests.EagerStart;

/// <summary>
/// With system.enableEagerWorkflowStart off (the default, as Temporal 1.28) a start that asks for eager execution is
/// served as a normal one: no task in the response, the first task goes through the queue. A server of its own.
/// </summary>
public sealed class EagerWorkflowStartOffTests : IAsyncLifetime
{
    private OwnServer? _own;

    public async Task InitializeAsync() => _own = await OwnServer.StartAsync("eager-off");

    public async Task DisposeAsync()
    {
        if (_own is not null)
        {
            await _own.DisposeAsync();
        }
    }

    [Fact]
    public async Task EagerStart_SwitchedOff_ReturnsNoTask_AndThePollGetsIt()
    {
        var client = _own!.Client;
        var taskQueue = ServerFixture.NewTaskQueue("eager-off");
        var workflowId = ServerFixture.NewWorkflowId("eager-off");

        var response = await EagerStartRequests.StartAsync(_own.Server.GrpcAddress, EagerStartRequests.Start(workflowId, taskQueue, Guid.NewGuid().ToString()));

        Assert.True(response.Started);
        Assert.Null(response.EagerWorkflowTask);
        var poll = await RawWorker.PollWorkflowTaskAsync(client, taskQueue);
        Assert.Equal(response.RunId, poll.WorkflowExecution.RunId);
        Assert.Equal(RawWorker.Identity, poll.History.Events.Last().WorkflowTaskStartedEventAttributes.Identity);
        await client.WorkflowService.RespondWorkflowTaskCompletedAsync(RawWorker.Completion(poll.TaskToken, RawWorker.CompleteCommand("done")));
        Assert.Equal(WorkflowExecutionStatus.Completed, await EagerStartRequests.StatusAsync(client, workflowId, response.RunId));

        var ns = await client.WorkflowService.DescribeNamespaceAsync(new DescribeNamespaceRequest { Namespace = "default" });
        Assert.False(ns.NamespaceInfo.Capabilities.EagerWorkflowStart);
        // Counted as asked and denied, as upstream counts it.
        var scrape = await _own.ScrapeAsync();
        Assert.Equal(1, scrape.Value($"workflow_eager_execution{{taskqueue=\"{taskQueue}\"}}"));
        Assert.Equal(1, scrape.Value($"workflow_eager_execution_denied{{taskqueue=\"{taskQueue}\",reason=\"dynamic_config_disabled\"}}"));
    }
}
