using Google.Protobuf;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.ErrorDetails.V1;
using Temporalio.Api.Update.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Exceptions;
using Temporalio.Worker;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// An update-with-start whose start fails answers the failed operation's own status code, with one
/// MultiOperationExecutionFailure detail holding each operation's status, the other one ABORTED (Temporal's
/// service/history/api/multioperation/api.go newMultiOpError; go.temporal.io/api serviceerror.MultiOperationExecution
/// takes the first status that is neither OK nor aborted as the code of the whole answer).
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class UpdateWithStartErrorTests(ServerFixture fixture)
{
    private TemporalClient Client => fixture.Client;

    [Fact]
    public async Task ExecuteMultiOperation_WorkflowRunningAndConflictPolicyFail_AlreadyExistsWithPerOperationStatuses()
    {
        var taskQueue = ServerFixture.NewTaskQueue("uws-error");
        var workflowId = ServerFixture.NewWorkflowId("uws-error");
        var running = await Client.StartWorkflowAsync((WaitForeverWorkflow wf) => wf.RunAsync(), new(workflowId, taskQueue));

        var e = await Assert.ThrowsAsync<RpcException>(() => Client.Connection.WorkflowService.ExecuteMultiOperationAsync(
            MultiOperation(workflowId, taskQueue, WorkflowIdConflictPolicy.Fail)));

        Assert.Equal(RpcException.StatusCode.AlreadyExists, e.Code);
        Assert.Equal("Update-with-Start could not be executed.", e.Message);
        var status = e.GrpcStatus.Value;
        Assert.NotNull(status);
        var detail = Assert.Single(status.Details);
        Assert.True(detail.TryUnpack(out MultiOperationExecutionFailure failure), $"detail is {detail.TypeUrl}");
        Assert.Equal(2, failure.Statuses.Count);
        Assert.Equal((int)RpcException.StatusCode.AlreadyExists, failure.Statuses[0].Code);
        var startDetail = Assert.Single(failure.Statuses[0].Details);
        Assert.True(startDetail.TryUnpack(out WorkflowExecutionAlreadyStartedFailure alreadyStarted), $"start detail is {startDetail.TypeUrl}");
        Assert.Equal(running.ResultRunId, alreadyStarted.RunId);
        Assert.Equal((int)RpcException.StatusCode.Aborted, failure.Statuses[1].Code);
        Assert.True(Assert.Single(failure.Statuses[1].Details).Is(Temporalio.Api.Failure.V1.MultiOperationExecutionAborted.Descriptor));

        await running.TerminateAsync("done");
    }

    [Fact]
    public async Task ExecuteUpdateWithStart_WorkflowRunningAndConflictPolicyFail_ThrowsWorkflowAlreadyStarted()
    {
        var taskQueue = ServerFixture.NewTaskQueue("uws-error");
        var workflowId = ServerFixture.NewWorkflowId("uws-error");
        using var worker = new TemporalWorker(Client, new TemporalWorkerOptions(taskQueue).AddWorkflow<UpdateTests.CounterWorkflow>());
        await worker.ExecuteAsync(async () =>
        {
            var running = await Client.StartWorkflowAsync((UpdateTests.CounterWorkflow wf) => wf.RunAsync(), new(workflowId, taskQueue));
            var start = WithStartWorkflowOperation.Create((UpdateTests.CounterWorkflow wf) => wf.RunAsync(),
                new(workflowId, taskQueue) { IdConflictPolicy = WorkflowIdConflictPolicy.Fail });

            var e = await Assert.ThrowsAsync<WorkflowAlreadyStartedException>(() =>
                Client.ExecuteUpdateWithStartWorkflowAsync((UpdateTests.CounterWorkflow wf) => wf.AddAsync(1), new(start))
                    .WithTimeout("update-with-start to be refused", TimeSpan.FromSeconds(5)));

            Assert.Equal(running.ResultRunId, e.RunId);
            await running.TerminateAsync("done");
        });
    }

    private ExecuteMultiOperationRequest MultiOperation(string workflowId, string taskQueue, WorkflowIdConflictPolicy conflictPolicy) => new()
    {
        Namespace = Client.Options.Namespace,
        Operations =
        {
            new ExecuteMultiOperationRequest.Types.Operation
            {
                StartWorkflow = new StartWorkflowExecutionRequest
                {
                    Namespace = Client.Options.Namespace,
                    WorkflowId = workflowId,
                    WorkflowType = new WorkflowType { Name = nameof(WaitForeverWorkflow) },
                    TaskQueue = RawWorker.NormalQueue(taskQueue),
                    RequestId = Guid.NewGuid().ToString(),
                    WorkflowIdConflictPolicy = conflictPolicy,
                },
            },
            new ExecuteMultiOperationRequest.Types.Operation
            {
                UpdateWorkflow = new UpdateWorkflowExecutionRequest
                {
                    Namespace = Client.Options.Namespace,
                    WorkflowExecution = new Temporalio.Api.Common.V1.WorkflowExecution { WorkflowId = workflowId },
                    Request = new Request
                    {
                        Meta = new Meta { UpdateId = Guid.NewGuid().ToString() },
                        Input = new Input { Name = "Add", Args = new Payloads { Payloads_ = { new Payload { Data = ByteString.CopyFromUtf8("1") } } } },
                    },
                    WaitPolicy = new WaitPolicy { LifecycleStage = UpdateWorkflowExecutionLifecycleStage.Completed },
                },
            },
        },
    };
}
