using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Exceptions;
using Temporalio.Worker;

namespace Tempora.EndToEnd.Tests;

[Collection(ServerCollection.Name)]
public sealed class WorkflowIdPolicyTests(ServerFixture fixture)
{
    private TemporalClient Client => fixture.Client;

    [Fact]
    public async Task StartWorkflow_SameIdWhileRunning_ThrowsAlreadyStarted()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var workflowId = ServerFixture.NewWorkflowId();
        var first = await Client.StartWorkflowAsync((WaitForFinishWorkflow wf) => wf.RunAsync(), new(workflowId, taskQueue));

        var ex = await Assert.ThrowsAsync<WorkflowAlreadyStartedException>(
            () => Client.StartWorkflowAsync((WaitForFinishWorkflow wf) => wf.RunAsync(), new(workflowId, taskQueue)));

        Assert.Equal(workflowId, ex.WorkflowId);
        Assert.Equal(first.ResultRunId, ex.RunId);
        await first.TerminateAsync("test done");
    }

    [Fact]
    public async Task StartWorkflow_SameIdWhileRunningWithUseExisting_ReturnsSameRun()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var workflowId = ServerFixture.NewWorkflowId();
        var first = await Client.StartWorkflowAsync((WaitForFinishWorkflow wf) => wf.RunAsync(), new(workflowId, taskQueue));

        var second = await Client.StartWorkflowAsync(
            (WaitForFinishWorkflow wf) => wf.RunAsync(),
            new(workflowId, taskQueue) { IdConflictPolicy = WorkflowIdConflictPolicy.UseExisting });

        Assert.Equal(first.ResultRunId, second.ResultRunId);
        await first.TerminateAsync("test done");
    }

    [Fact]
    public async Task StartWorkflow_SameIdAfterCompletionWithRejectDuplicate_ThrowsAlreadyStarted()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var workflowId = ServerFixture.NewWorkflowId();
        await RunToCompletionAsync(workflowId, taskQueue);

        await Assert.ThrowsAsync<WorkflowAlreadyStartedException>(
            () => Client.StartWorkflowAsync(
                (WaitForFinishWorkflow wf) => wf.RunAsync(),
                new(workflowId, taskQueue) { IdReusePolicy = WorkflowIdReusePolicy.RejectDuplicate }));
    }

    [Fact]
    public async Task StartWorkflow_SameIdAfterCompletionWithAllowDuplicate_StartsNewRun()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var workflowId = ServerFixture.NewWorkflowId();
        var firstRunId = await RunToCompletionAsync(workflowId, taskQueue);

        var second = await Client.StartWorkflowAsync(
            (WaitForFinishWorkflow wf) => wf.RunAsync(),
            new(workflowId, taskQueue) { IdReusePolicy = WorkflowIdReusePolicy.AllowDuplicate });

        Assert.NotEqual(firstRunId, second.ResultRunId);
        var description = await Client.GetWorkflowHandle(workflowId).DescribeAsync();
        Assert.Equal(second.ResultRunId, description.RunId);
        Assert.Equal(WorkflowExecutionStatus.Running, description.Status);
        await second.TerminateAsync("test done");
    }

    [Fact]
    public async Task StartWorkflowRaw_SameRequestIdTwice_ReturnsSameRunWithoutError()
    {
        var request = new StartWorkflowExecutionRequest
        {
            Namespace = "default",
            WorkflowId = ServerFixture.NewWorkflowId(),
            WorkflowType = new Temporalio.Api.Common.V1.WorkflowType { Name = nameof(WaitForFinishWorkflow) },
            TaskQueue = new Temporalio.Api.TaskQueue.V1.TaskQueue { Name = ServerFixture.NewTaskQueue() },
            RequestId = Guid.NewGuid().ToString(),
            Identity = "e2e-test",
        };
        var raw = Client.Connection.WorkflowService;

        var first = await raw.StartWorkflowExecutionAsync(request);
        var second = await raw.StartWorkflowExecutionAsync(request);

        Assert.False(string.IsNullOrEmpty(first.RunId));
        Assert.Equal(first.RunId, second.RunId);
        await Client.GetWorkflowHandle(request.WorkflowId).TerminateAsync("test done");
    }

    private async Task<string> RunToCompletionAsync(string workflowId, string taskQueue)
    {
        using var worker = new TemporalWorker(Client, new TemporalWorkerOptions(taskQueue).AddWorkflow<WaitForFinishWorkflow>());
        return await worker.ExecuteAsync(async () =>
        {
            var handle = await Client.StartWorkflowAsync((WaitForFinishWorkflow wf) => wf.RunAsync(), new(workflowId, taskQueue));
            await handle.SignalAsync(wf => wf.FinishAsync("finished"));
            Assert.Equal("finished", await handle.GetResultAsync().WithTimeout("first run to complete"));
            return handle.ResultRunId!;
        });
    }
}
