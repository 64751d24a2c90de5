using Temporalio.Api.Common.V1;
using WorkflowExecution = Temporalio.Api.Common.V1.WorkflowExecution;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Exceptions;
using Temporalio.Worker;

namespace Tempora.EndToEnd.Tests;

/// <summary>Signal de-duplication by request id; terminate and cancel of a workflow that already completed.</summary>
[Collection(ServerCollection.Name)]
public sealed class SignalTerminateEdgeTests(ServerFixture fixture)
{
    private TemporalClient Client => fixture.Client;

    private Temporalio.Client.WorkflowService Raw => Client.Connection.WorkflowService;

    [Fact]
    public async Task SignalWorkflow_SameRequestIdTwice_RecordedAndDeliveredOnce()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        // No worker yet: both raw signals land in history before the workflow runs.
        var handle = await Client.StartWorkflowAsync((CollectSignalsWorkflow wf) => wf.RunAsync(2), new(ServerFixture.NewWorkflowId(), taskQueue));
        var requestId = Guid.NewGuid().ToString();
        var signal = new SignalWorkflowExecutionRequest
        {
            Namespace = "default",
            WorkflowExecution = new WorkflowExecution { WorkflowId = handle.Id },
            SignalName = "Add",
            Input = new Payloads { Payloads_ = { Client.Options.DataConverter.PayloadConverter.ToPayload("once") } },
            Identity = "e2e-test",
            RequestId = requestId,
        };
        await Raw.SignalWorkflowExecutionAsync(signal);
        await Raw.SignalWorkflowExecutionAsync(signal.Clone());
        await handle.SignalAsync(wf => wf.AddAsync("distinct"));

        using var worker = new TemporalWorker(Client, new TemporalWorkerOptions(taskQueue).AddWorkflow<CollectSignalsWorkflow>());
        var result = await worker.ExecuteAsync(() => handle.GetResultAsync().WithTimeout("workflow to collect two signals"));

        Assert.Equal(["once", "distinct"], result);
        var signaled = (await handle.EventsAsync()).Where(e => e.EventType == EventType.WorkflowExecutionSignaled).ToList();
        Assert.Equal(2, signaled.Count);
        Assert.Single(signaled, e => e.WorkflowExecutionSignaledEventAttributes.RequestId == requestId);
    }

    [Fact]
    public async Task TerminateWorkflow_Completed_ThrowsNotFound()
    {
        var handle = await RunToCompletionAsync();

        var ex = await Assert.ThrowsAsync<RpcException>(() => Raw.TerminateWorkflowExecutionAsync(new TerminateWorkflowExecutionRequest
        {
            Namespace = "default",
            WorkflowExecution = new WorkflowExecution { WorkflowId = handle.Id },
            Reason = "too late",
            Identity = "e2e-test",
        }));

        Assert.Equal(RpcException.StatusCode.NotFound, ex.Code);
        Assert.Equal(WorkflowExecutionStatus.Completed, (await handle.DescribeAsync()).Status);
    }

    [Fact]
    public async Task RequestCancelWorkflow_Completed_SucceedsWithoutNewEvents()
    {
        var handle = await RunToCompletionAsync();
        var before = await handle.EventsAsync();

        await Raw.RequestCancelWorkflowExecutionAsync(new RequestCancelWorkflowExecutionRequest
        {
            Namespace = "default",
            WorkflowExecution = new WorkflowExecution { WorkflowId = handle.Id },
            Identity = "e2e-test",
            RequestId = Guid.NewGuid().ToString(),
            Reason = "too late",
        });

        var after = await handle.EventsAsync();
        Assert.Equal(before, after);
        Assert.Equal(WorkflowExecutionStatus.Completed, (await handle.DescribeAsync()).Status);
    }

    [Fact]
    public async Task RequestCancelWorkflow_RequestedTwice_SecondSucceedsAndRecordsOneRequest()
    {
        // No worker: the cancel request is only recorded, nothing acts on it.
        var handle = await Client.StartWorkflowAsync((WaitForeverWorkflow wf) => wf.RunAsync(), new(ServerFixture.NewWorkflowId(), ServerFixture.NewTaskQueue()));

        await handle.CancelAsync();
        await handle.CancelAsync();

        var types = (await handle.EventsAsync()).Types();
        Assert.Single(types, t => t == EventType.WorkflowExecutionCancelRequested);
        Assert.Equal(WorkflowExecutionStatus.Running, (await handle.DescribeAsync()).Status);
        await handle.TerminateAsync("test done");
    }

    [Fact]
    public async Task TerminateWorkflow_CompletedWithExplicitRunId_ThrowsNotFound()
    {
        var handle = await RunToCompletionAsync();

        var ex = await Assert.ThrowsAsync<RpcException>(() => handle.TerminateAsync("too late"));

        Assert.Equal(RpcException.StatusCode.NotFound, ex.Code);
    }

    private async Task<WorkflowHandle<WaitForFinishWorkflow, string>> RunToCompletionAsync()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        using var worker = new TemporalWorker(Client, new TemporalWorkerOptions(taskQueue).AddWorkflow<WaitForFinishWorkflow>());
        return await worker.ExecuteAsync(async () =>
        {
            var h = await Client.StartWorkflowAsync((WaitForFinishWorkflow wf) => wf.RunAsync(), new(ServerFixture.NewWorkflowId(), taskQueue));
            await h.SignalAsync(wf => wf.FinishAsync("done"));
            await h.GetResultAsync().WithTimeout("workflow to complete");
            return h;
        });
    }
}
