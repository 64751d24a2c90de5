using Google.Protobuf;
using Temporalio.Api.Common.V1;
using Temporalio.Api.ErrorDetails.V1;
using Temporalio.Api.WorkflowService.V1;
using WorkflowExecution = Temporalio.Api.Common.V1.WorkflowExecution;
using Temporalio.Client;
using Temporalio.Exceptions;
using Temporalio.Worker;

namespace Tempora.EndToEnd.Tests;

/// <summary>Malformed or impossible requests sent straight through the raw gRPC service.</summary>
[Collection(ServerCollection.Name)]
public sealed class InvalidRequestTests(ServerFixture fixture)
{
    private Temporalio.Client.WorkflowService Raw => fixture.Client.Connection.WorkflowService;

    [Fact]
    public async Task StartWorkflow_EmptyWorkflowId_ThrowsInvalidArgument()
    {
        var request = StartRequest(string.Empty);

        var ex = await Assert.ThrowsAsync<RpcException>(() => Raw.StartWorkflowExecutionAsync(request));

        Assert.Equal(RpcException.StatusCode.InvalidArgument, ex.Code);
    }

    [Fact]
    public async Task StartWorkflow_UnknownNamespace_ThrowsNotFoundWithNamespaceNotFoundDetail()
    {
        var workflowId = ServerFixture.NewWorkflowId();
        var request = StartRequest(workflowId);
        request.Namespace = ServerFixture.NewWorkflowId("missing-ns");

        var ex = await Assert.ThrowsAsync<RpcException>(() => Raw.StartWorkflowExecutionAsync(request));

        Assert.Equal(RpcException.StatusCode.NotFound, ex.Code);
        var status = ex.GrpcStatus.Value;
        Assert.NotNull(status);
        Assert.Contains(status.Details, d => d.Is(NamespaceNotFoundFailure.Descriptor));
    }

    [Fact]
    public async Task DescribeWorkflow_UnknownId_ThrowsNotFound()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => DescribeAsync(ServerFixture.NewWorkflowId("unknown")));

        Assert.Equal(RpcException.StatusCode.NotFound, ex.Code);
    }

    [Fact]
    public async Task RespondActivityTaskCompleted_MalformedTaskToken_ThrowsInvalidArgument()
    {
        var garbage = new byte[48];
        Random.Shared.NextBytes(garbage);

        var ex = await Assert.ThrowsAsync<RpcException>(() => Raw.RespondActivityTaskCompletedAsync(new RespondActivityTaskCompletedRequest
        {
            Namespace = "default",
            TaskToken = ByteString.CopyFrom(garbage),
            Identity = "e2e-test",
        }));

        Assert.Equal(RpcException.StatusCode.InvalidArgument, ex.Code);
    }

    [Fact]
    public async Task StartWorkflow_InputOverTwoMebibytes_ThrowsInvalidArgumentAndLeavesNoWorkflow()
    {
        var workflowId = ServerFixture.NewWorkflowId();
        var request = StartRequest(workflowId);
        request.Input = new Payloads
        {
            Payloads_ =
            {
                new Payload
                {
                    Metadata = { ["encoding"] = ByteString.CopyFromUtf8("binary/plain") },
                    Data = ByteString.CopyFrom(new byte[(2 * 1024 * 1024) + (512 * 1024)]),
                },
            },
        };

        var ex = await Assert.ThrowsAsync<RpcException>(() => Raw.StartWorkflowExecutionAsync(request));

        Assert.Equal(RpcException.StatusCode.InvalidArgument, ex.Code);
        await AssertNoWorkflowAsync(workflowId);
    }

    [Fact]
    public async Task StartWorkflow_EmptyWorkflowType_ThrowsInvalidArgumentAndLeavesNoWorkflow()
    {
        var workflowId = ServerFixture.NewWorkflowId();
        var request = StartRequest(workflowId);
        request.WorkflowType.Name = string.Empty;

        var ex = await Assert.ThrowsAsync<RpcException>(() => Raw.StartWorkflowExecutionAsync(request));

        Assert.Equal(RpcException.StatusCode.InvalidArgument, ex.Code);
        await AssertNoWorkflowAsync(workflowId);
    }

    [Fact]
    public async Task StartWorkflow_EmptyTaskQueue_ThrowsInvalidArgumentAndLeavesNoWorkflow()
    {
        var workflowId = ServerFixture.NewWorkflowId();
        var request = StartRequest(workflowId);
        request.TaskQueue.Name = string.Empty;

        var ex = await Assert.ThrowsAsync<RpcException>(() => Raw.StartWorkflowExecutionAsync(request));

        Assert.Equal(RpcException.StatusCode.InvalidArgument, ex.Code);
        await AssertNoWorkflowAsync(workflowId);
    }

    [Fact]
    public async Task SignalWorkflow_Completed_ThrowsNotFound()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var workflowId = ServerFixture.NewWorkflowId();
        using (var worker = new TemporalWorker(fixture.Client, new TemporalWorkerOptions(taskQueue).AddWorkflow<WaitForFinishWorkflow>()))
        {
            await worker.ExecuteAsync(async () =>
            {
                var handle = await fixture.Client.StartWorkflowAsync((WaitForFinishWorkflow wf) => wf.RunAsync(), new(workflowId, taskQueue));
                await handle.SignalAsync(wf => wf.FinishAsync("done"));
                await handle.GetResultAsync().WithTimeout("workflow to complete");
            });
        }

        var ex = await Assert.ThrowsAsync<RpcException>(() => Raw.SignalWorkflowExecutionAsync(new SignalWorkflowExecutionRequest
        {
            Namespace = "default",
            WorkflowExecution = new WorkflowExecution { WorkflowId = workflowId },
            SignalName = nameof(WaitForFinishWorkflow.FinishAsync),
            Identity = "e2e-test",
            RequestId = Guid.NewGuid().ToString(),
        }));

        Assert.Equal(RpcException.StatusCode.NotFound, ex.Code);
    }

    [Fact]
    public async Task SignalWorkflow_UnknownId_ThrowsNotFoundAndLeavesNoWorkflow()
    {
        var workflowId = ServerFixture.NewWorkflowId();

        var ex = await Assert.ThrowsAsync<RpcException>(() => Raw.SignalWorkflowExecutionAsync(new SignalWorkflowExecutionRequest
        {
            Namespace = "default",
            WorkflowExecution = new WorkflowExecution { WorkflowId = workflowId },
            SignalName = "anything",
            Identity = "e2e-test",
            RequestId = Guid.NewGuid().ToString(),
        }));

        Assert.Equal(RpcException.StatusCode.NotFound, ex.Code);
        await AssertNoWorkflowAsync(workflowId);
    }

    [Fact]
    public async Task UpdateWorkerBuildIdCompatibility_NotImplemented_ThrowsUnimplemented()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(
            () => Raw.UpdateWorkerBuildIdCompatibilityAsync(new UpdateWorkerBuildIdCompatibilityRequest
            {
                Namespace = "default",
                TaskQueue = ServerFixture.NewTaskQueue(),
                AddNewBuildIdInNewDefaultSet = "build-1",
            }));

        Assert.Equal(RpcException.StatusCode.Unimplemented, ex.Code);
    }

    private static StartWorkflowExecutionRequest StartRequest(string workflowId) => new()
    {
        Namespace = "default",
        WorkflowId = workflowId,
        WorkflowType = new WorkflowType { Name = "NoSuchWorkflow" },
        TaskQueue = new Temporalio.Api.TaskQueue.V1.TaskQueue { Name = ServerFixture.NewTaskQueue() },
        RequestId = Guid.NewGuid().ToString(),
        Identity = "e2e-test",
    };

    private Task<DescribeWorkflowExecutionResponse> DescribeAsync(string workflowId) =>
        Raw.DescribeWorkflowExecutionAsync(new DescribeWorkflowExecutionRequest
        {
            Namespace = "default",
            Execution = new WorkflowExecution { WorkflowId = workflowId },
        });

    private async Task AssertNoWorkflowAsync(string workflowId)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => DescribeAsync(workflowId));
        Assert.Equal(RpcException.StatusCode.NotFound, ex.Code);
    }
}
