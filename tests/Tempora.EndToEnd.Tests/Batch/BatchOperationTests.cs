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
using Temporalio.Converters;
using Temporalio.Worker;
using static Tempora.EndToEnd.Tests.Batch.BatchTestKit;

namespace Tempora.EndToEnd.Tests.Batch;

/// <summary>
/// Each batch operation through the .NET SDK's raw WorkflowService, over workflows selected by a query (or listed),
/// checked in each workflow's history and status, and in DescribeBatchOperation / ListBatchOperations.
/// </summary>
[Collection(BatchCollection.Name)]
public sealed class BatchOperationTests(ServerFixture fixture)
{
    private string Address => fixture.Server.GrpcAddress;

    [Fact]
    public async Task Terminate_ByQuery_300Workflows_EachTerminatedWithTheReason_AndTheBatchCountsThem()
    {
        var client = await NamespaceClientAsync(fixture.Client, Address);
        var type = $"batch-term-{Guid.NewGuid():N}";
        var handles = await StartIdleAsync(client, type, 300);
        var query = $"WorkflowType = '{type}'";
        await WaitListedAsync(client, query, 300);
        var jobId = ServerFixture.NewWorkflowId("job-term");

        await client.Raw().StartBatchOperationAsync(Start(client, jobId, query, r => r.TerminationOperation = new BatchOperationTermination { Identity = "batch-tester" }));

        var done = await WaitClosedAsync(client, jobId);
        Assert.Equal((BatchOperationState.Completed, BatchOperationType.Terminate), (done.State, done.OperationType));
        Assert.Equal((300L, 300L, 0L), (done.TotalOperationCount, done.CompleteOperationCount, done.FailureOperationCount));
        Assert.Equal(("batch-tester", "batch test", jobId), (done.Identity, done.Reason, done.JobId));
        Assert.NotNull(done.CloseTime);
        await WaitListedAsync(client, $"{query} AND ExecutionStatus = 'Terminated'", 300);
        var terminated = (await EventsAsync(client, handles[123])).Last();
        Assert.Equal(EventType.WorkflowExecutionTerminated, terminated.EventType);
        Assert.Equal("batch test", terminated.WorkflowExecutionTerminatedEventAttributes.Reason);
        Assert.Equal("batch-tester", terminated.WorkflowExecutionTerminatedEventAttributes.Identity);

        var list = await client.Raw().ListBatchOperationsAsync(new ListBatchOperationsRequest { Namespace = client.Options.Namespace });
        var info = Assert.Single(list.OperationInfo);
        Assert.Equal((jobId, BatchOperationState.Completed, BatchOperationType.Terminate), (info.JobId, info.State, info.OperationType));
    }

    [Fact]
    public async Task Signal_ByExecutionsList_EachListedWorkflowGetsOneSignal_OthersNone()
    {
        var client = await NamespaceClientAsync(fixture.Client, Address);
        var type = $"batch-signal-{Guid.NewGuid():N}";
        var handles = await StartIdleAsync(client, type, 250);
        var listed = handles.Take(200).ToList();
        var jobId = ServerFixture.NewWorkflowId("job-signal");
        var request = new StartBatchOperationRequest
        {
            Namespace = client.Options.Namespace,
            JobId = jobId,
            Reason = "batch test",
            SignalOperation = new BatchOperationSignal
            {
                Signal = "poke",
                Input = new Payloads { Payloads_ = { DataConverter.Default.PayloadConverter.ToPayload("hello") } },
                Identity = "batch-tester",
            },
        };
        // Half by run id, half by workflow id alone (the current run).
        request.Executions.Add(listed.Select((h, i) => new WorkflowExecution { WorkflowId = h.Id, RunId = i % 2 == 0 ? h.ResultRunId! : "" }));

        await client.Raw().StartBatchOperationAsync(request);

        var done = await WaitClosedAsync(client, jobId);
        Assert.Equal((BatchOperationState.Completed, BatchOperationType.Signal), (done.State, done.OperationType));
        Assert.Equal((200L, 200L, 0L), (done.TotalOperationCount, done.CompleteOperationCount, done.FailureOperationCount));
        foreach (var handle in handles)
        {
            var signals = (await EventsAsync(client, handle)).Where(e => e.EventType == EventType.WorkflowExecutionSignaled).ToList();
            if (listed.Contains(handle))
            {
                var signal = Assert.Single(signals).WorkflowExecutionSignaledEventAttributes;
                Assert.Equal(("poke", "batch-tester"), (signal.SignalName, signal.Identity));
                Assert.Equal("hello", DataConverter.Default.PayloadConverter.ToValue<string>(signal.Input.Payloads_[0]));
            }
            else
            {
                Assert.Empty(signals);
            }
        }
    }

    [Fact]
    public async Task Cancel_ByQuery_EachRunningWorkflowIsAskedToCancel_ClosedOnesAreLeftOut()
    {
        var client = await NamespaceClientAsync(fixture.Client, Address);
        var type = $"batch-cancel-{Guid.NewGuid():N}";
        var handles = await StartIdleAsync(client, type, 200);
        var query = $"WorkflowType = '{type}'";
        await handles[0].TerminateAsync("closed before the batch");
        await WaitListedAsync(client, $"{query} AND ExecutionStatus = 'Running'", 199);
        var jobId = ServerFixture.NewWorkflowId("job-cancel");

        await client.Raw().StartBatchOperationAsync(Start(client, jobId, query, r => r.CancellationOperation = new BatchOperationCancellation()));

        var done = await WaitClosedAsync(client, jobId);
        // Temporal selects only running executions for a cancellation.
        Assert.Equal((BatchOperationState.Completed, 199L, 199L, 0L),
            (done.State, done.TotalOperationCount, done.CompleteOperationCount, done.FailureOperationCount));
        Assert.DoesNotContain(await EventsAsync(client, handles[0]), e => e.EventType == EventType.WorkflowExecutionCancelRequested);
        foreach (var handle in handles.Skip(1))
        {
            Assert.Single(await EventsAsync(client, handle), e => e.EventType == EventType.WorkflowExecutionCancelRequested);
        }
    }

    [Fact]
    public async Task Delete_ByQuery_EveryWorkflowIsGone_RunningAndClosed()
    {
        var client = await NamespaceClientAsync(fixture.Client, Address);
        var type = $"batch-delete-{Guid.NewGuid():N}";
        var handles = await StartIdleAsync(client, type, 200);
        await handles[0].TerminateAsync("closed before the batch");
        var query = $"WorkflowType = '{type}'";
        await WaitListedAsync(client, $"{query} AND ExecutionStatus = 'Terminated'", 1);
        await WaitListedAsync(client, query, 200);
        var jobId = ServerFixture.NewWorkflowId("job-delete");

        await client.Raw().StartBatchOperationAsync(Start(client, jobId, query, r => r.DeletionOperation = new BatchOperationDeletion()));

        var done = await WaitClosedAsync(client, jobId);
        Assert.Equal((BatchOperationState.Completed, BatchOperationType.Delete, 200L, 0L),
            (done.State, done.OperationType, done.CompleteOperationCount, done.FailureOperationCount));
        foreach (var handle in handles)
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => client.Raw().DescribeWorkflowExecutionAsync(new DescribeWorkflowExecutionRequest
            {
                Namespace = client.Options.Namespace,
                Execution = new WorkflowExecution { WorkflowId = handle.Id, RunId = handle.ResultRunId },
            }));
            Assert.Equal(StatusCode.NotFound, error.Code);
        }
        await WaitListedAsync(client, query, 0);
    }

    [Fact]
    public async Task Reset_ByQuery_ToTheFirstWorkflowTask_EachWorkflowRunsAgainInANewRun()
    {
        var client = await NamespaceClientAsync(fixture.Client, Address);
        var taskQueue = ServerFixture.NewTaskQueue("batch-reset");
        using var worker = new TemporalWorker(client, new TemporalWorkerOptions(taskQueue).AddWorkflow<WaitForeverWorkflow>());
        await worker.ExecuteAsync(async () =>
        {
            var prefix = $"batch-reset-{Guid.NewGuid():N}";
            var handles = await Task.WhenAll(Enumerable.Range(0, 100).Select(i =>
                client.StartWorkflowAsync((WaitForeverWorkflow wf) => wf.RunAsync(), new WorkflowOptions($"{prefix}-{i}", taskQueue))));
            foreach (var handle in handles)
            {
                await Wait.ForHistoryEventAsync(handle, EventType.WorkflowTaskCompleted);
            }
            var query = $"TaskQueue = '{taskQueue}'";
            await WaitListedAsync(client, query, 100);
            var jobId = ServerFixture.NewWorkflowId("job-reset");

            await client.Raw().StartBatchOperationAsync(Start(client, jobId, query, r => r.ResetOperation = new BatchOperationReset
            {
                Options = new ResetOptions { FirstWorkflowTask = new Google.Protobuf.WellKnownTypes.Empty() },
                Identity = "batch-tester",
            }));

            var done = await WaitClosedAsync(client, jobId);
            Assert.Equal((BatchOperationState.Completed, BatchOperationType.Reset, 100L, 0L),
                (done.State, done.OperationType, done.CompleteOperationCount, done.FailureOperationCount));
            foreach (var handle in handles)
            {
                var current = await client.GetWorkflowHandle(handle.Id).DescribeAsync();
                Assert.NotEqual(handle.ResultRunId, current.RunId);
                Assert.Equal(Temporalio.Api.Enums.V1.WorkflowExecutionStatus.Running, current.Status);
                var old = await client.GetWorkflowHandle(handle.Id, handle.ResultRunId).DescribeAsync();
                Assert.Equal(Temporalio.Api.Enums.V1.WorkflowExecutionStatus.Terminated, old.Status);
            }
        });
    }

    [Fact]
    public async Task UnpauseActivities_ByQuery_EachRunningWorkflowIsAskedThroughUnpauseActivity()
    {
        var client = await NamespaceClientAsync(fixture.Client, Address);
        var type = $"batch-unpause-{Guid.NewGuid():N}";
        await StartIdleAsync(client, type, 10);
        var query = $"WorkflowType = '{type}'";
        await WaitListedAsync(client, query, 10);
        var jobId = ServerFixture.NewWorkflowId("job-unpause");

        await client.Raw().StartBatchOperationAsync(Start(client, jobId, query, r => r.UnpauseActivitiesOperation = new BatchOperationUnpauseActivities { MatchAll = true }));

        var done = await WaitClosedAsync(client, jobId);
        Assert.Equal((BatchOperationState.Completed, 10L), (done.State, done.TotalOperationCount));
        // Each execution is done: none has a paused activity, and UnpauseActivity answers success or NotFound, which a
        // batch counts as done (a batch over paused activities: ActivityControlTests).
        Assert.Equal((10L, 0L), (done.CompleteOperationCount, done.FailureOperationCount));
    }
}
