using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Tempora.Core.Errors;
using Tempora.Persistence;
using Tempora.Persistence.Batches;
using Temporalio.Api.Batch.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Worker.Batch;

/// <summary>
/// The batch API after the frontend has checked the request: a start stores the batch and hands it to the runner,
/// describe and list read the store, a stop closes the batch (state FAILED, as Temporal's terminated batch workflow
/// shows) after ending its loop. The requests about one batch are routed to the owner of its job id's shard.
/// </summary>
public sealed class BatchService(IBatchStore store, BatchRunner runner, BatchLimits limits, TimeProvider time)
{
    private const int MaxRounds = 10;

    public BatchLimits Limits => limits;

    /// <param name="query">The selection's query as it will run (empty when the request lists executions).</param>
    /// <param name="totalEstimate">How many executions the query matches now (the request's count for a list).</param>
    public async Task StartAsync(NamespaceRecord ns, StartBatchOperationRequest request, string query, long totalEstimate, CancellationToken ct)
    {
        if (await store.CountRunningAsync(ns.Id, ct) >= limits.MaxConcurrentPerNamespace)
        {
            throw new ResourceExhaustedException("Max concurrent batch operations is reached", ResourceExhaustedCause.ConcurrentLimit,
                ResourceExhaustedScope.Namespace);
        }
        var rps = request.MaxOperationsPerSecond > 0 && request.MaxOperationsPerSecond <= limits.OperationsPerSecond
            ? request.MaxOperationsPerSecond
            : limits.OperationsPerSecond;
        var data = new BatchData { Request = request.ToByteArray(), Query = query, OperationsPerSecond = rps, TotalEstimate = totalEstimate };
        var key = new BatchKey(ns.Id, request.JobId);
        var record = new BatchRecord(ns.Id, request.JobId, runner.ShardOf(key), 1, (int)BatchOperationState.Running, time.GetUtcNow(), null,
            data.ToBytes());
        try
        {
            await store.WriteAsync(new BatchWrite(0, record, []), ct);
        }
        catch (BatchConditionFailedException)
        {
            // Temporal starts the batch as a workflow whose id is the job id, with reuse policy REJECT_DUPLICATE.
            var existing = await store.GetAsync(ns.Id, request.JobId, ct);
            throw new WorkflowAlreadyStartedException(existing?.State == (int)BatchOperationState.Running
                ? $"Workflow execution is already running. WorkflowId: {request.JobId}, RunId: ."
                : $"Workflow execution already finished. WorkflowId: {request.JobId}, RunId: . Workflow Id reuse policy: reject duplicate workflow Id.",
                "", "", "");
        }
        runner.Run(key);
    }

    public async Task<DescribeBatchOperationResponse> DescribeAsync(NamespaceRecord ns, string jobId, CancellationToken ct)
    {
        var record = await GetAsync(ns, jobId, ct);
        var data = BatchData.FromBytes(record.Data);
        var request = data.StartRequest();
        var response = new DescribeBatchOperationResponse
        {
            OperationType = OperationTypeOf(request),
            JobId = jobId,
            State = (BatchOperationState)record.State,
            StartTime = Timestamp.FromDateTimeOffset(record.StartTime),
            CloseTime = data.CloseTime is { } close ? Timestamp.FromDateTimeOffset(close) : null,
            // Temporal shows the selection's estimate until the batch ends, then what was done.
            TotalOperationCount = record.State == (int)BatchOperationState.Running && !data.Resolved ? data.TotalEstimate
                : record.State == (int)BatchOperationState.Running ? data.ItemCount
                : data.CompleteCount + data.FailureCount,
            CompleteOperationCount = data.CompleteCount,
            FailureOperationCount = data.FailureCount,
            Identity = IdentityOf(request),
            Reason = request.Reason,
            Query = request.VisibilityQuery,
        };
        return response;
    }

    public async Task<ListBatchOperationsResponse> ListAsync(NamespaceRecord ns, ListBatchOperationsRequest request, int pageSize,
        CancellationToken ct)
    {
        var after = request.NextPageToken.IsEmpty ? (BatchListPosition?)null : BatchPageToken.Decode(request.NextPageToken);
        var page = await store.ListAsync(ns.Id, pageSize + 1, after, ct);
        var response = new ListBatchOperationsResponse();
        foreach (var record in page.Take(pageSize))
        {
            var data = BatchData.FromBytes(record.Data);
            response.OperationInfo.Add(new BatchOperationInfo
            {
                JobId = record.JobId,
                State = (BatchOperationState)record.State,
                StartTime = Timestamp.FromDateTimeOffset(record.StartTime),
                CloseTime = data.CloseTime is { } close ? Timestamp.FromDateTimeOffset(close) : null,
                OperationType = OperationTypeOf(data.StartRequest()),
            });
        }
        if (page.Count > pageSize)
        {
            var last = page[pageSize - 1];
            response.NextPageToken = BatchPageToken.Encode(new BatchListPosition(last.StartTime, last.JobId));
        }
        return response;
    }

    public async Task StopAsync(NamespaceRecord ns, StopBatchOperationRequest request, CancellationToken ct)
    {
        var key = new BatchKey(ns.Id, request.JobId);
        // End the loop first, so that no item is applied after the stop is answered.
        await runner.CancelAsync(key);
        for (var round = 0; ; round++)
        {
            var record = await GetAsync(ns, request.JobId, ct);
            if (record.State != (int)BatchOperationState.Running)
            {
                // Temporal terminates the batch's workflow, which is closed.
                throw new EntityNotFoundException("workflow execution already completed");
            }
            var now = time.GetUtcNow();
            var data = BatchData.FromBytes(record.Data) with { CloseTime = now };
            var retention = await runner.RetentionAsync(ns.Id, ct);
            var stopped = record with
            {
                Version = record.Version + 1,
                State = (int)BatchOperationState.Failed,
                ExpireTime = now + retention,
                Data = data.ToBytes(),
            };
            try
            {
                await store.WriteAsync(new BatchWrite(record.Version, stopped, []), ct);
                return;
            }
            catch (BatchConditionFailedException) when (round < MaxRounds)
            {
                // The batch's loop (elsewhere, if the shard just moved) wrote it meanwhile: read it again.
            }
        }
    }

    private async Task<BatchRecord> GetAsync(NamespaceRecord ns, string jobId, CancellationToken ct) =>
        await store.GetAsync(ns.Id, jobId, ct) ?? throw new EntityNotFoundException($"workflow not found for ID: {jobId}");

    private static BatchOperationType OperationTypeOf(StartBatchOperationRequest request) => request.OperationCase switch
    {
        StartBatchOperationRequest.OperationOneofCase.TerminationOperation => BatchOperationType.Terminate,
        StartBatchOperationRequest.OperationOneofCase.CancellationOperation => BatchOperationType.Cancel,
        StartBatchOperationRequest.OperationOneofCase.SignalOperation => BatchOperationType.Signal,
        StartBatchOperationRequest.OperationOneofCase.DeletionOperation => BatchOperationType.Delete,
        StartBatchOperationRequest.OperationOneofCase.ResetOperation => BatchOperationType.Reset,
        StartBatchOperationRequest.OperationOneofCase.UpdateWorkflowOptionsOperation => BatchOperationType.UpdateExecutionOptions,
        // Temporal 1.28 has no type for unpausing activities and shows UNSPECIFIED.
        _ => BatchOperationType.Unspecified,
    };

    private static string IdentityOf(StartBatchOperationRequest request) => request.OperationCase switch
    {
        StartBatchOperationRequest.OperationOneofCase.TerminationOperation => request.TerminationOperation.Identity,
        StartBatchOperationRequest.OperationOneofCase.CancellationOperation => request.CancellationOperation.Identity,
        StartBatchOperationRequest.OperationOneofCase.SignalOperation => request.SignalOperation.Identity,
        StartBatchOperationRequest.OperationOneofCase.DeletionOperation => request.DeletionOperation.Identity,
        StartBatchOperationRequest.OperationOneofCase.ResetOperation => request.ResetOperation.Identity,
        StartBatchOperationRequest.OperationOneofCase.UpdateWorkflowOptionsOperation => request.UpdateWorkflowOptionsOperation.Identity,
        // Temporal records no identity for an unpause batch.
        _ => "",
    };
}
