using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Exceptions;
using Temporalio.Worker;

namespace Tempora.EndToEnd.Tests;

[Collection(ServerCollection.Name)]
public sealed class DeleteWorkflowTests(ServerFixture fixture)
{
    private TemporalClient Client => fixture.Client;

    [Fact]
    public async Task DeleteWorkflow_Completed_DescribeAndHistoryNotFound()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var workflowId = ServerFixture.NewWorkflowId();
        using var worker = NewWorker(taskQueue);
        var handle = await worker.ExecuteAsync(async () =>
        {
            var h = await Client.StartWorkflowAsync((HelloWorkflow wf) => wf.RunAsync("delete me"), new(workflowId, taskQueue));
            await h.GetResultAsync().WithTimeout("workflow to complete before deletion");
            return h;
        });

        await DeleteAsync(workflowId, handle.ResultRunId!);

        await WaitForNotFoundAsync(Client.GetWorkflowHandle(workflowId, runId: handle.ResultRunId));
        var history = await Assert.ThrowsAsync<RpcException>(() => Client.GetWorkflowHandle(workflowId, runId: handle.ResultRunId).EventsAsync());
        Assert.Equal(RpcException.StatusCode.NotFound, history.Code);
        var latest = await Assert.ThrowsAsync<RpcException>(() => Client.GetWorkflowHandle(workflowId).DescribeAsync());
        Assert.Equal(RpcException.StatusCode.NotFound, latest.Code);
    }

    [Fact]
    public async Task DeleteWorkflow_Running_TerminatesAndDeletesSoIdCanBeReused()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var workflowId = ServerFixture.NewWorkflowId();
        using var worker = NewWorker(taskQueue);

        var result = await worker.ExecuteAsync(async () =>
        {
            var h = await Client.StartWorkflowAsync((LongSleepWorkflow wf) => wf.RunAsync(), new(workflowId, taskQueue));
            await Wait.ForHistoryEventAsync(h, EventType.TimerStarted);
            await DeleteAsync(workflowId, h.ResultRunId!);
            await WaitForNotFoundAsync(Client.GetWorkflowHandle(workflowId, runId: h.ResultRunId));

            // The id is free again: a new start with the default policies is not "already started".
            var again = await Client.StartWorkflowAsync((HelloWorkflow wf) => wf.RunAsync("reused id"), new(workflowId, taskQueue));
            Assert.NotEqual(h.ResultRunId, again.ResultRunId);
            return await again.GetResultAsync().WithTimeout("workflow started with the deleted workflow's id");
        });

        Assert.Equal("Hello, reused id!", result);
    }

    [Fact]
    public async Task DeleteWorkflow_RunningParent_ChildTerminatedByClosePolicy()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var parentId = ServerFixture.NewWorkflowId("parent");
        var childId = ServerFixture.NewWorkflowId("child");
        using var worker = NewWorker(taskQueue);

        var description = await worker.ExecuteAsync(async () =>
        {
            var h = await Client.StartWorkflowAsync((ParentAwaitsWaitingChildWorkflow wf) => wf.RunAsync(childId), new(parentId, taskQueue));
            await Wait.UntilAsync(
                () => h.DescribeRawAsync(),
                d => d.PendingChildren.Count == 1 && !string.IsNullOrEmpty(d.PendingChildren[0].RunId),
                "parent to record its child as started");
            await DeleteAsync(parentId, h.ResultRunId!);
            await WaitForNotFoundAsync(Client.GetWorkflowHandle(parentId, runId: h.ResultRunId));
            return await Wait.UntilAsync(
                () => Client.GetWorkflowHandle(childId).DescribeAsync(),
                d => d.Status != WorkflowExecutionStatus.Running,
                "child of a deleted running parent to close");
        });

        Assert.Equal(WorkflowExecutionStatus.Terminated, description.Status);
    }

    [Fact]
    public async Task DeleteWorkflow_UnknownWorkflow_NotFound()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => DeleteAsync(ServerFixture.NewWorkflowId("unknown"), string.Empty));

        Assert.Equal(RpcException.StatusCode.NotFound, ex.Code);
    }

    private Task<DeleteWorkflowExecutionResponse> DeleteAsync(string workflowId, string runId) =>
        Client.Connection.WorkflowService.DeleteWorkflowExecutionAsync(new DeleteWorkflowExecutionRequest
        {
            Namespace = Client.Options.Namespace,
            WorkflowExecution = new Temporalio.Api.Common.V1.WorkflowExecution { WorkflowId = workflowId, RunId = runId },
        });

    /// <summary>Polls describe until the server answers NotFound (deletion may complete asynchronously).</summary>
    private static Task<RpcException.StatusCode> WaitForNotFoundAsync(WorkflowHandle handle) =>
        Wait.UntilAsync(
            async () =>
            {
                try
                {
                    await handle.DescribeAsync();
                    return RpcException.StatusCode.OK;
                }
                catch (RpcException e)
                {
                    return e.Code;
                }
            },
            code => code == RpcException.StatusCode.NotFound,
            $"describe of deleted workflow {handle.Id} to answer NotFound");

    private TemporalWorker NewWorker(string taskQueue) =>
        new(Client, new TemporalWorkerOptions(taskQueue)
            .AddWorkflow<HelloWorkflow>()
            .AddWorkflow<LongSleepWorkflow>()
            .AddWorkflow<ParentAwaitsWaitingChildWorkflow>()
            .AddWorkflow<WaitForFinishWorkflow>()
            .AddAllActivities(new GreetingActivities()));
}
