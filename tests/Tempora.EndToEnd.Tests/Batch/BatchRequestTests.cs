// Temporal 1.28's batch API (operation types, executions) is marked obsolete in the newer Temporalio package.
#pragma warning disable CS0612
using Temporalio.Api.Batch.V1;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using RpcException = Temporalio.Exceptions.RpcException;
using StatusCode = Temporalio.Exceptions.RpcException.StatusCode;
using WorkflowExecution = Temporalio.Api.Common.V1.WorkflowExecution;
using static Tempora.EndToEnd.Tests.Batch.BatchTestKit;

namespace Tempora.EndToEnd.Tests.Batch;

/// <summary>
/// The batch requests' answers to bad input (Temporal 1.28's status and words, nothing changed), a query that matches
/// nothing, the one-batch-per-namespace limit, a taken job id, and StopBatchOperation.
/// </summary>
[Collection(BatchCollection.Name)]
public sealed class BatchRequestTests(ServerFixture fixture)
{
    private string Address => fixture.Server.GrpcAddress;

    [Fact]
    public async Task Start_BadRequests_AreRefusedWithTemporalsAnswer_AndStartNothing()
    {
        var client = await NamespaceClientAsync(fixture.Client, Address);
        var ns = client.Options.Namespace;
        StartBatchOperationRequest Valid() => Start(client, "job-bad", "WorkflowType = 'x'", r => r.TerminationOperation = new BatchOperationTermination());

        var cases = new (string What, StartBatchOperationRequest Request, StatusCode Code, string Message)[]
        {
            ("no job id", With(Valid(), r => r.JobId = ""), StatusCode.InvalidArgument, "JobId is not set on request."),
            ("no selection", With(Valid(), r => r.VisibilityQuery = ""), StatusCode.InvalidArgument,
                "Workflow executions and visibility filter are not set on request."),
            ("both selections", With(Valid(), r => r.Executions.Add(new WorkflowExecution { WorkflowId = "a" })), StatusCode.InvalidArgument,
                "Workflow executions and visibility filter are both set on request. Only one of them is allowed."),
            ("no reason", With(Valid(), r => r.Reason = ""), StatusCode.InvalidArgument, "Reason is not set on request."),
            ("no operation", With(Valid(), r => r.ClearOperation()), StatusCode.InvalidArgument, "Batch operation is not set on request."),
            ("signal without a name", With(Valid(), r => r.SignalOperation = new BatchOperationSignal()), StatusCode.InvalidArgument,
                "must provide signal name"),
            ("reset without a target", With(Valid(), r => r.ResetOperation = new BatchOperationReset { Options = new ResetOptions() }),
                StatusCode.InvalidArgument, "batch reset missing target"),
            ("reset of an unknown type", With(Valid(), r => r.ResetOperation = new BatchOperationReset()), StatusCode.InvalidArgument,
                "unknown batch reset type RESET_TYPE_UNSPECIFIED"),
            ("unpause without a filter", With(Valid(), r => r.UnpauseActivitiesOperation = new BatchOperationUnpauseActivities()),
                StatusCode.InvalidArgument, "activity filter must be set"),
            ("workflow options without a mask", With(Valid(), r => r.UpdateWorkflowOptionsOperation = new BatchOperationUpdateWorkflowExecutionOptions()),
                StatusCode.InvalidArgument, "UpdateMask is required"),
            ("workflow options with an invalid override", With(Valid(), r => r.UpdateWorkflowOptionsOperation = new BatchOperationUpdateWorkflowExecutionOptions
            {
                WorkflowExecutionOptions = new() { VersioningOverride = new() { Pinned = new() { Behavior = Temporalio.Api.Workflow.V1.VersioningOverride.Types.PinnedOverrideBehavior.Pinned } } },
                UpdateMask = new Google.Protobuf.WellKnownTypes.FieldMask { Paths = { "versioning_override" } },
            }), StatusCode.InvalidArgument, "must provide version if override is pinned."),
            ("an operation newer than 1.28", With(Valid(), r => r.ResetActivitiesOperation = new BatchOperationResetActivities()),
                StatusCode.InvalidArgument, "The operation type *workflowservice.StartBatchOperationRequest_ResetActivitiesOperation is not supported"),
            ("target_executions", With(Valid(), r => { r.VisibilityQuery = ""; r.TargetExecutions.Add(new Execution()); }), StatusCode.Unimplemented,
                "target_executions"),
            ("an invalid query", With(Valid(), r => r.VisibilityQuery = "NoSuchAttribute = 'x'"), StatusCode.InvalidArgument, "NoSuchAttribute"),
            ("too many executions", With(Valid(), r =>
            {
                r.VisibilityQuery = "";
                r.Executions.Add(Enumerable.Range(0, 1001).Select(i => new WorkflowExecution { WorkflowId = $"wf-{i}" }));
            }), StatusCode.InvalidArgument, "Workflow executions count exceeded."),
        };
        foreach (var (what, request, code, message) in cases)
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => client.Raw().StartBatchOperationAsync(request));
            Assert.True(code == error.Code, $"{what}: {error.Code} {error.Message}");
            Assert.Contains(message, error.Message, StringComparison.Ordinal);
        }
        var list = await client.Raw().ListBatchOperationsAsync(new ListBatchOperationsRequest { Namespace = ns });
        Assert.Empty(list.OperationInfo);

        var missing = await Assert.ThrowsAsync<RpcException>(() => client.Raw().StartBatchOperationAsync(With(Valid(), r => r.Namespace = "no-such-namespace")));
        Assert.Equal(StatusCode.NotFound, missing.Code);
    }

    [Fact]
    public async Task Start_QueryMatchingNothing_CompletesWithNoOperation()
    {
        var client = await NamespaceClientAsync(fixture.Client, Address);
        var jobId = ServerFixture.NewWorkflowId("job-empty");

        await client.Raw().StartBatchOperationAsync(Start(client, jobId, $"WorkflowType = 'nothing-{Guid.NewGuid():N}'",
            r => r.SignalOperation = new BatchOperationSignal { Signal = "poke" }));

        var done = await WaitClosedAsync(client, jobId);
        Assert.Equal((BatchOperationState.Completed, 0L, 0L, 0L),
            (done.State, done.TotalOperationCount, done.CompleteOperationCount, done.FailureOperationCount));
    }

    [Fact]
    public async Task UnknownJobId_DescribeAndStopAnswerNotFound()
    {
        var client = await NamespaceClientAsync(fixture.Client, Address);
        var describe = await Assert.ThrowsAsync<RpcException>(() => DescribeAsync(client, "no-such-job"));
        Assert.Equal((StatusCode.NotFound, "workflow not found for ID: no-such-job"), (describe.Code, describe.Message));
        var stop = await Assert.ThrowsAsync<RpcException>(() => client.Raw().StopBatchOperationAsync(new StopBatchOperationRequest
        {
            Namespace = client.Options.Namespace,
            JobId = "no-such-job",
            Reason = "test",
        }));
        Assert.Equal(StatusCode.NotFound, stop.Code);
        var noReason = await Assert.ThrowsAsync<RpcException>(() => client.Raw().StopBatchOperationAsync(new StopBatchOperationRequest
        {
            Namespace = client.Options.Namespace,
            JobId = "no-such-job",
        }));
        Assert.Equal((StatusCode.InvalidArgument, "Reason is not set on request."), (noReason.Code, noReason.Message));
        var noJob = await Assert.ThrowsAsync<RpcException>(() => DescribeAsync(client, ""));
        Assert.Equal((StatusCode.InvalidArgument, "JobId is not set on request."), (noJob.Code, noJob.Message));
    }

    [Fact]
    public async Task Stop_RunningBatch_EndsFailedWithNoMoreOperations_AndASecondBatchMayStartOnlyThen()
    {
        var client = await NamespaceClientAsync(fixture.Client, Address);
        var type = $"batch-stop-{Guid.NewGuid():N}";
        var handles = await StartIdleAsync(client, type, 20);
        var query = $"WorkflowType = '{type}'";
        await WaitListedAsync(client, query, 20);
        var jobId = ServerFixture.NewWorkflowId("job-stop");
        // Two signals a second: the batch is still running when it is stopped.
        await client.Raw().StartBatchOperationAsync(Start(client, jobId, query, r =>
        {
            r.SignalOperation = new BatchOperationSignal { Signal = "poke" };
            r.MaxOperationsPerSecond = 2;
        }));
        await Wait.UntilAsync(() => DescribeAsync(client, jobId), d => d.CompleteOperationCount >= 3, "the batch to signal a few workflows");

        // One batch at a time per namespace (Temporal's default), and a job id is taken for good.
        var second = await Assert.ThrowsAsync<RpcException>(() => client.Raw().StartBatchOperationAsync(
            Start(client, "job-second", query, r => r.CancellationOperation = new BatchOperationCancellation())));
        Assert.Equal((StatusCode.ResourceExhausted, "Max concurrent batch operations is reached"), (second.Code, second.Message));

        await client.Raw().StopBatchOperationAsync(new StopBatchOperationRequest { Namespace = client.Options.Namespace, JobId = jobId, Reason = "enough" });

        var stopped = await DescribeAsync(client, jobId);
        Assert.Equal(BatchOperationState.Failed, stopped.State);
        Assert.NotNull(stopped.CloseTime);
        Assert.True(stopped.CompleteOperationCount is >= 3 and < 20, $"{stopped.CompleteOperationCount} done");
        var signalled = 0;
        foreach (var handle in handles)
        {
            signalled += (await EventsAsync(client, handle)).Count(e => e.EventType == Temporalio.Api.Enums.V1.EventType.WorkflowExecutionSignaled);
        }
        // The signal in flight when the stop came may have been sent without being counted.
        Assert.InRange(signalled, stopped.CompleteOperationCount, stopped.CompleteOperationCount + 1);
        // Nothing more happens after the stop.
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(stopped.CompleteOperationCount, (await DescribeAsync(client, jobId)).CompleteOperationCount);

        var again = await Assert.ThrowsAsync<RpcException>(() => client.Raw().StopBatchOperationAsync(
            new StopBatchOperationRequest { Namespace = client.Options.Namespace, JobId = jobId, Reason = "again" }));
        Assert.Equal((StatusCode.NotFound, "workflow execution already completed"), (again.Code, again.Message));
        var reused = await Assert.ThrowsAsync<RpcException>(() => client.Raw().StartBatchOperationAsync(
            Start(client, jobId, query, r => r.CancellationOperation = new BatchOperationCancellation())));
        Assert.Equal(StatusCode.AlreadyExists, reused.Code);

        var nextJob = ServerFixture.NewWorkflowId("job-after-stop");
        await client.Raw().StartBatchOperationAsync(Start(client, nextJob, query, r => r.CancellationOperation = new BatchOperationCancellation()));
        Assert.Equal(BatchOperationState.Completed, (await WaitClosedAsync(client, nextJob)).State);
        var list = await client.Raw().ListBatchOperationsAsync(new ListBatchOperationsRequest { Namespace = client.Options.Namespace, PageSize = 1 });
        Assert.Equal(nextJob, Assert.Single(list.OperationInfo).JobId); // newest first
        var rest = await client.Raw().ListBatchOperationsAsync(new ListBatchOperationsRequest
        {
            Namespace = client.Options.Namespace,
            PageSize = 1,
            NextPageToken = list.NextPageToken,
        });
        Assert.Equal((jobId, BatchOperationState.Failed), (Assert.Single(rest.OperationInfo).JobId, rest.OperationInfo[0].State));
        Assert.True(rest.NextPageToken.IsEmpty);
    }

    private static StartBatchOperationRequest With(StartBatchOperationRequest request, Action<StartBatchOperationRequest> change)
    {
        change(request);
        return request;
    }
}
