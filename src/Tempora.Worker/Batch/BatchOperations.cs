using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Tempora.Core.Loopback;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Worker.Batch;

/// <summary>
/// Applies a batch's operation to one execution, through the frontend over loopback as Temporal's batcher does through
/// its SDK client (so each call is validated and routed to the run's shard as any client's). Each call that can carry a
/// request id carries one derived from the batch and the item, so that applying an item again after a crash (applied,
/// then killed before the outcome was stored) is recognised by history as the same request: a signal is not added
/// twice, a reset does not reset the run it made. Terminate, cancel and delete are idempotent by nature.
/// </summary>
internal sealed class BatchOperations(FrontendClient frontend, TimeProvider time) : IBatchExecutor
{
    private const int ListPageSize = 1000;

    public async Task<IReadOnlyList<WorkflowExecution>> SelectAsync(string ns, string query, CancellationToken ct)
    {
        var executions = new List<WorkflowExecution>();
        var list = new ListWorkflowExecutionsRequest { Namespace = ns, Query = query, PageSize = ListPageSize };
        do
        {
            var page = await frontend.CallAsync<ListWorkflowExecutionsRequest, ListWorkflowExecutionsResponse>(list, ct);
            executions.AddRange(page.Executions.Select(e => e.Execution));
            list.NextPageToken = page.NextPageToken;
        }
        while (!list.NextPageToken.IsEmpty);
        return executions;
    }

    public async Task ApplyAsync(StartBatchOperationRequest batch, string requestId, WorkflowExecution execution, CancellationToken ct)
    {
        var ns = batch.Namespace;
        switch (batch.OperationCase)
        {
            case StartBatchOperationRequest.OperationOneofCase.TerminationOperation:
                await frontend.CallAsync<TerminateWorkflowExecutionRequest, TerminateWorkflowExecutionResponse>(new()
                {
                    Namespace = ns,
                    WorkflowExecution = execution,
                    Reason = batch.Reason,
                    Details = batch.TerminationOperation.Details,
                    Identity = batch.TerminationOperation.Identity,
                }, ct);
                break;
            case StartBatchOperationRequest.OperationOneofCase.CancellationOperation:
                await frontend.CallAsync<RequestCancelWorkflowExecutionRequest, RequestCancelWorkflowExecutionResponse>(new()
                {
                    Namespace = ns,
                    WorkflowExecution = execution,
                    Reason = batch.Reason,
                    RequestId = requestId,
                    Identity = batch.CancellationOperation.Identity,
                }, ct);
                break;
            case StartBatchOperationRequest.OperationOneofCase.SignalOperation:
                var signal = batch.SignalOperation;
                await frontend.CallAsync<SignalWorkflowExecutionRequest, SignalWorkflowExecutionResponse>(new()
                {
                    Namespace = ns,
                    WorkflowExecution = execution,
                    SignalName = signal.Signal,
                    Input = signal.Input,
                    Header = signal.Header,
                    Identity = signal.Identity,
                    RequestId = requestId,
                }, ct);
                break;
            case StartBatchOperationRequest.OperationOneofCase.DeletionOperation:
                await frontend.CallAsync<DeleteWorkflowExecutionRequest, DeleteWorkflowExecutionResponse>(new()
                {
                    Namespace = ns,
                    WorkflowExecution = execution,
                }, ct);
                break;
            case StartBatchOperationRequest.OperationOneofCase.ResetOperation:
                await ResetAsync(batch, requestId, execution, ct);
                break;
            case StartBatchOperationRequest.OperationOneofCase.UnpauseActivitiesOperation:
                var unpause = batch.UnpauseActivitiesOperation;
                var request = new UnpauseActivityRequest
                {
                    Namespace = ns,
                    Execution = execution,
                    Identity = unpause.Identity.Length > 0 ? unpause.Identity : "batch unpause",
                    ResetAttempts = unpause.ResetAttempts,
                    ResetHeartbeat = unpause.ResetHeartbeat,
                    Jitter = unpause.Jitter,
                };
                if (unpause.MatchAll)
                {
                    request.UnpauseAll = true;
                }
                else
                {
                    request.Type = unpause.Type;
                }
                await frontend.CallAsync<UnpauseActivityRequest, UnpauseActivityResponse>(request, ct);
                break;
            case StartBatchOperationRequest.OperationOneofCase.UpdateWorkflowOptionsOperation:
                await frontend.CallAsync<UpdateWorkflowExecutionOptionsRequest, UpdateWorkflowExecutionOptionsResponse>(new()
                {
                    Namespace = ns,
                    WorkflowExecution = execution,
                    WorkflowExecutionOptions = batch.UpdateWorkflowOptionsOperation.WorkflowExecutionOptions,
                    UpdateMask = batch.UpdateWorkflowOptionsOperation.UpdateMask,
                }, ct);
                break;
            default:
                // The frontend admits no other operation.
                throw new RpcException(new Status(StatusCode.Unimplemented, $"Batch operation {batch.OperationCase} is not supported."));
        }
    }

    private async Task ResetAsync(StartBatchOperationRequest batch, string requestId, WorkflowExecution execution, CancellationToken ct)
    {
        var reset = batch.ResetOperation;
        var request = new ResetWorkflowExecutionRequest
        {
            Namespace = batch.Namespace,
            WorkflowExecution = execution,
            Reason = batch.Reason,
            RequestId = requestId,
            Identity = reset.Identity,
        };
        if (reset.Options is { } options)
        {
            request.ResetReapplyType = options.ResetReapplyType;
            request.ResetReapplyExcludeTypes.Add(options.ResetReapplyExcludeTypes);
            request.PostResetOperations.Add(reset.PostResetOperations);
            request.WorkflowTaskFinishEventId = options.TargetCase switch
            {
                ResetOptions.TargetOneofCase.FirstWorkflowTask => await FirstWorkflowTaskEventIdAsync(batch.Namespace, execution, ct),
                ResetOptions.TargetOneofCase.LastWorkflowTask => await LastWorkflowTaskEventIdAsync(batch.Namespace, execution, ct),
                ResetOptions.TargetOneofCase.WorkflowTaskId => options.WorkflowTaskId,
                ResetOptions.TargetOneofCase.BuildId => await BuildIdResetPointAsync(request, options, ct),
                // The frontend refuses the other targets.
                _ => throw new RpcException(new Status(StatusCode.InvalidArgument, $"provided reset target ({options.TargetCase}) is not supported.")),
            };
        }
        else
        {
            request.ResetReapplyType = reset.ResetReapplyType;
            request.WorkflowTaskFinishEventId = reset.ResetType == ResetType.FirstWorkflowTask
                ? await FirstWorkflowTaskEventIdAsync(batch.Namespace, execution, ct)
                : await LastWorkflowTaskEventIdAsync(batch.Namespace, execution, ct);
        }
        await frontend.CallAsync<ResetWorkflowExecutionRequest, ResetWorkflowExecutionResponse>(request, ct);
    }

    /// <summary>The first WorkflowTaskCompleted event, or the event after the first WorkflowTaskScheduled when none
    /// completed (Temporal's batcher's reset point for FIRST_WORKFLOW_TASK).</summary>
    private async Task<long> FirstWorkflowTaskEventIdAsync(string ns, WorkflowExecution execution, CancellationToken ct)
    {
        var request = new GetWorkflowExecutionHistoryRequest { Namespace = ns, Execution = execution, MaximumPageSize = 1000 };
        long eventId = 0;
        do
        {
            var page = await frontend.CallAsync<GetWorkflowExecutionHistoryRequest, GetWorkflowExecutionHistoryResponse>(request, ct);
            foreach (var e in page.History.Events)
            {
                if (e.EventType == EventType.WorkflowTaskCompleted)
                {
                    return e.EventId;
                }
                if (e.EventType == EventType.WorkflowTaskScheduled && eventId == 0)
                {
                    eventId = e.EventId + 1;
                }
            }
            request.NextPageToken = page.NextPageToken;
        }
        while (!request.NextPageToken.IsEmpty);
        return eventId > 0 ? eventId : throw NoWorkflowTask();
    }

    /// <summary>The last WorkflowTaskCompleted event, or the event after the earliest WorkflowTaskScheduled after it.</summary>
    private async Task<long> LastWorkflowTaskEventIdAsync(string ns, WorkflowExecution execution, CancellationToken ct)
    {
        var request = new GetWorkflowExecutionHistoryReverseRequest { Namespace = ns, Execution = execution, MaximumPageSize = 1000 };
        long eventId = 0;
        do
        {
            var page = await frontend.CallAsync<GetWorkflowExecutionHistoryReverseRequest, GetWorkflowExecutionHistoryReverseResponse>(request, ct);
            foreach (var e in page.History.Events)
            {
                if (e.EventType == EventType.WorkflowTaskCompleted)
                {
                    return e.EventId;
                }
                if (e.EventType == EventType.WorkflowTaskScheduled)
                {
                    eventId = e.EventId + 1;
                }
            }
            request.NextPageToken = page.NextPageToken;
        }
        while (!request.NextPageToken.IsEmpty);
        return eventId > 0 ? eventId : throw NoWorkflowTask();
    }

    /// <summary>
    /// The first workflow task the build id completed, from the run's auto-reset points (Temporal's batcher's
    /// getResetPoint). The point may be in an earlier run of the chain, which then becomes the reset's base run,
    /// unless the options ask for the current run only.
    /// </summary>
    private async Task<long> BuildIdResetPointAsync(ResetWorkflowExecutionRequest request, ResetOptions options, CancellationToken ct)
    {
        var described = await frontend.CallAsync<DescribeWorkflowExecutionRequest, DescribeWorkflowExecutionResponse>(
            new() { Namespace = request.Namespace, Execution = request.WorkflowExecution }, ct);
        var buildId = options.BuildId;
        var point = described.WorkflowExecutionInfo.AutoResetPoints?.Points.FirstOrDefault(p => p.BuildId == buildId)
            ?? throw NoResetPoint($"Can't find reset point for {buildId}");
        if (!point.Resettable)
        {
            throw NoResetPoint($"Reset point for {buildId} is not resettable");
        }
        if (point.ExpireTime is { } expire && expire.ToDateTimeOffset() < time.GetUtcNow())
        {
            throw NoResetPoint($"Reset point for {buildId} is expired");
        }
        // The run described: the one listed, or the current one when the batch named the workflow without a run.
        if (options.CurrentRunOnly && point.RunId != described.WorkflowExecutionInfo.Execution.RunId)
        {
            throw NoResetPoint($"Reset point for {buildId} points to previous run and CurrentRunOnly is set");
        }
        request.WorkflowExecution = new WorkflowExecution { WorkflowId = request.WorkflowExecution.WorkflowId, RunId = point.RunId };
        return point.FirstWorkflowTaskCompletedId;
    }

    private static RpcException NoResetPoint(string message) => new(new Status(StatusCode.FailedPrecondition, message));

    private static RpcException NoWorkflowTask() =>
        new(new Status(StatusCode.FailedPrecondition, "unable to find any scheduled or completed task"));

    /// <summary>The request id of one item of one batch: the same for every attempt at it, different for every other
    /// item and batch (the start time tells apart two batches that reused a job id after the first expired).</summary>
    public static string RequestIdOf(BatchKey key, DateTimeOffset startTime, long seq)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{key.NamespaceId}\n{key.JobId}\n{startTime.UtcTicks}\n{seq}"));
        return new Guid(hash.AsSpan(0, 16)).ToString();
    }
}
