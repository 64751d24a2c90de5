using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Tempora.Core;
using Tempora.Core.Errors;
using Tempora.Cluster.Peers;
using Tempora.Cluster.Polling;
using Tempora.Frontend.Validation;
using Tempora.History;
using Tempora.History.Api;
using Tempora.Matching;
using Tempora.Matching.Polling;
using Tempora.Persistence;
using Tempora.Visibility;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Namespace.V1;
using Temporalio.Api.Replication.V1;
using Temporalio.Api.TaskQueue.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Frontend;

/// <summary>
/// The WorkflowService RPCs Tempora implements. Each validates what only the frontend knows (namespace, deadlines,
/// client identity) and hands over to history or matching; methods not declared here answer Unimplemented.
/// </summary>
[BindServiceMethod(typeof(Http.WorkflowServiceHttpBinding), nameof(Http.WorkflowServiceHttpBinding.BindService))]
internal partial class WorkflowServiceImpl(
    HistoryEngine history, MatchingEngine matching, TaskPoller taskPoller, VisibilityService visibility, TimeProvider time,
    IShardOwnership ownership, PollFanOut polls, PeerCalls peers, StoreNames stores, WorkerPolls workerPolls,
    Worker.Schedules.ScheduleService schedules, HostAddress host, Worker.Batch.BatchService batches, Tempora.Archival.ArchivalSettings archival,
    Tempora.Archival.HistoryArchiver historyArchiver, Tempora.Archival.VisibilityArchiver visibilityArchiver,
    Matching.Nexus.NexusTaskDispatcher nexusTasks, Matching.Nexus.NexusTaskPoller nexusPoller,
    Matching.Deployments.WorkerDeploymentService deployments, Matching.Deployments.DeploymentRegistrar registrar,
    Core.Versioning.IDeploymentRouting routing)
{
    /// <summary>The Temporal server version we are compatible with; Go/Java clients check it against "&lt;2.0.0".</summary>
    public const string ServerVersion = "1.28.0";

    private static readonly TimeSpan MaxPollWait = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan PollReturnBudget = TimeSpan.FromSeconds(1);

    /// <summary>The request's namespace, in a state that allows the request (<see cref="NamespaceStates"/>).</summary>
    private async Task<NamespaceRecord> NamespaceAsync(string name, ServerCallContext context) =>
        NamespaceStates.Check(await history.Namespaces.GetByNameAsync(name, context.CancellationToken), context.Method);

    public virtual Task<GetSystemInfoResponse> GetSystemInfo(GetSystemInfoRequest request, ServerCallContext context) =>
        Task.FromResult(new GetSystemInfoResponse
        {
            ServerVersion = ServerVersion,
            Capabilities = new GetSystemInfoResponse.Types.Capabilities
            {
                SignalAndQueryHeader = true,
                InternalErrorDifferentiation = true,
                ActivityFailureIncludeHeartbeat = true,
                EncodedFailureAttributes = true,
                UpsertMemo = true,
                SdkMetadata = true,
                CountGroupByExecutionStatus = true, // CountWorkflowExecutions takes GROUP BY ExecutionStatus
                // The server understands request_eager_execution (as Temporal, whatever the switch; each namespace's
                // capabilities say whether it is on).
                EagerWorkflowStart = true,
                BuildIdBasedVersioning = true,
                SupportsSchedules = true, // docs/schedules.md
                // Nexus stays off: 1.28 says it when its HTTP handlers for Nexus requests and callbacks are served,
                // which Tempora does not serve (docs/nexus.md, "Not built yet"); its Nexus RPCs work all the same.
            },
        });

    public virtual Task<GetClusterInfoResponse> GetClusterInfo(GetClusterInfoRequest request, ServerCallContext context) =>
        Task.FromResult(new GetClusterInfoResponse
        {
            ServerVersion = ServerVersion,
            ClusterId = LocalCluster.Id,
            ClusterName = LocalCluster.Name,
            HistoryShardCount = ownership.Count,
            PersistenceStore = stores.Persistence,
            VisibilityStore = stores.Visibility,
        });

    public virtual async Task<StartWorkflowExecutionResponse> StartWorkflowExecution(StartWorkflowExecutionRequest request, ServerCallContext context)
    {
        var ns = await NamespaceAsync(request.Namespace, context);
        UnsupportedFields.Check(request);
        ns = await StartRequestValidation.ValidateAsync(ns, StartSpec.Of(request), WorkflowIdConflictPolicy.Fail, history.Limits,
            history.Namespaces, context.CancellationToken);
        return await history.StartWorkflowExecutionAsync(ns, request, context.CancellationToken);
    }

    public virtual async Task<SignalWithStartWorkflowExecutionResponse> SignalWithStartWorkflowExecution(
        SignalWithStartWorkflowExecutionRequest request, ServerCallContext context)
    {
        var ns = await NamespaceAsync(request.Namespace, context);
        UnsupportedFields.Check(request);
        ns = await SignalWithStartWorkflowExecutionValidation.ValidateAsync(ns, request, history.Limits, history.Namespaces,
            context.CancellationToken);
        return await history.SignalWithStartWorkflowExecutionAsync(ns, request, context.CancellationToken);
    }

    public virtual async Task<SignalWorkflowExecutionResponse> SignalWorkflowExecution(SignalWorkflowExecutionRequest request, ServerCallContext context)
    {
        var ns = await NamespaceAsync(request.Namespace, context);
        SignalWorkflowExecutionValidation.Validate(request, history.Limits);
        await history.SignalWorkflowExecutionAsync(ns, request, context.CancellationToken);
        return new SignalWorkflowExecutionResponse();
    }

    public virtual async Task<RequestCancelWorkflowExecutionResponse> RequestCancelWorkflowExecution(
        RequestCancelWorkflowExecutionRequest request, ServerCallContext context)
    {
        var ns = await NamespaceAsync(request.Namespace, context);
        CancelAndTerminateValidation.Validate(request);
        await history.RequestCancelWorkflowExecutionAsync(ns, request, context.CancellationToken);
        return new RequestCancelWorkflowExecutionResponse();
    }

    public virtual async Task<TerminateWorkflowExecutionResponse> TerminateWorkflowExecution(
        TerminateWorkflowExecutionRequest request, ServerCallContext context)
    {
        var ns = await NamespaceAsync(request.Namespace, context);
        CancelAndTerminateValidation.Validate(request, history.Limits);
        await history.TerminateWorkflowExecutionAsync(ns, request, context.CancellationToken);
        return new TerminateWorkflowExecutionResponse();
    }

    public virtual async Task<ResetWorkflowExecutionResponse> ResetWorkflowExecution(ResetWorkflowExecutionRequest request, ServerCallContext context)
    {
        var ns = await NamespaceAsync(request.Namespace, context);
        ResetWorkflowExecutionValidation.Validate(request, history.Limits);
        return await history.ResetWorkflowExecutionAsync(ns, request, context.CancellationToken);
    }

    public virtual async Task<DeleteWorkflowExecutionResponse> DeleteWorkflowExecution(DeleteWorkflowExecutionRequest request, ServerCallContext context)
    {
        var ns = await NamespaceAsync(request.Namespace, context);
        ReadRequestsValidation.Validate(request);
        await history.DeleteWorkflowExecutionAsync(ns, request, context.CancellationToken);
        return new DeleteWorkflowExecutionResponse();
    }

    public virtual async Task<DescribeWorkflowExecutionResponse> DescribeWorkflowExecution(DescribeWorkflowExecutionRequest request, ServerCallContext context)
    {
        var ns = await NamespaceAsync(request.Namespace, context);
        ReadRequestsValidation.Validate(request);
        var response = await history.DescribeWorkflowExecutionAsync(ns, request, context.CancellationToken);
        if (response.WorkflowExecutionInfo is { } info)
        {
            info.SearchAttributes = OutgoingSearchAttributes.Typed(info.SearchAttributes, ns);
        }
        return response;
    }

    public virtual async Task<GetWorkflowExecutionHistoryResponse> GetWorkflowExecutionHistory(
        GetWorkflowExecutionHistoryRequest request, ServerCallContext context)
    {
        var ns = await NamespaceAsync(request.Namespace, context);
        ReadRequestsValidation.Validate(request);
        // The CLI and UI want stored history only; SDK workers also need the transient workflow task (§3.5).
        var client = Tempora.Cluster.Peers.RequestHeader.Value(context, "client-name") ?? "";
        var forWorker = client is not ("temporal-cli" or "temporal-ui");
        GetWorkflowExecutionHistoryResponse response;
        if (Tempora.Archival.HistoryArchiver.IsArchiveToken(request.NextPageToken) && ReadsArchivedHistory(ns, request))
        {
            // The next page of an archived history: the run is not in the store any more.
            response = await ArchivedHistoryAsync(ns, request, context.CancellationToken)
                ?? throw new EntityNotFoundException("Workflow execution history not found in the archive.");
            OutgoingSearchAttributes.Type(response.History, ns);
            return response;
        }
        try
        {
            response = await history.GetWorkflowExecutionHistoryAsync(ns, request, forWorker, LongPollWait(context), context.CancellationToken);
        }
        catch (EntityNotFoundException) when (ReadsArchivedHistory(ns, request))
        {
            // Not in the store: deleted by retention, perhaps archived before (a run never archived stays NotFound).
            var archived = await ArchivedHistoryAsync(ns, request, context.CancellationToken);
            if (archived is null)
            {
                throw;
            }
            response = archived;
        }
        OutgoingSearchAttributes.Type(response.History, ns);
        return response;
    }

    public virtual async Task<GetWorkflowExecutionHistoryReverseResponse> GetWorkflowExecutionHistoryReverse(
        GetWorkflowExecutionHistoryReverseRequest request, ServerCallContext context)
    {
        var ns = await NamespaceAsync(request.Namespace, context);
        ReadRequestsValidation.Validate(request);
        var response = await history.GetWorkflowExecutionHistoryReverseAsync(ns, request, context.CancellationToken);
        OutgoingSearchAttributes.Type(response.History, ns);
        return response;
    }

    public virtual async Task<UpdateWorkflowExecutionResponse> UpdateWorkflowExecution(UpdateWorkflowExecutionRequest request, ServerCallContext context)
    {
        var ns = await NamespaceAsync(request.Namespace, context);
        UnsupportedFields.Check(request);
        UpdateWorkflowExecutionValidation.Validate(request, history.Limits);
        return await history.UpdateWorkflowExecutionAsync(ns, request, LongPollWait(context), context.CancellationToken);
    }

    public virtual async Task<PollWorkflowExecutionUpdateResponse> PollWorkflowExecutionUpdate(PollWorkflowExecutionUpdateRequest request, ServerCallContext context)
    {
        var ns = await NamespaceAsync(request.Namespace, context);
        ReadRequestsValidation.Validate(request);
        return await history.PollWorkflowExecutionUpdateAsync(ns, request, LongPollWait(context), context.CancellationToken);
    }

    /// <summary>Update-with-start; a failed operation surfaces as MultiOperationException, which Errors maps (§6.1).</summary>
    public virtual async Task<ExecuteMultiOperationResponse> ExecuteMultiOperation(ExecuteMultiOperationRequest request, ServerCallContext context)
    {
        var ns = await NamespaceAsync(request.Namespace, context);
        UnsupportedFields.Check(request);
        ns = await ExecuteMultiOperationValidation.ValidateAsync(ns, request, history.Limits, history.Namespaces, context.CancellationToken);
        return await history.ExecuteMultiOperationAsync(ns, request, LongPollWait(context), context.CancellationToken);
    }

    public virtual async Task<QueryWorkflowResponse> QueryWorkflow(QueryWorkflowRequest request, ServerCallContext context)
    {
        var ns = await NamespaceAsync(request.Namespace, context);
        QueryWorkflowValidation.Validate(request, history.Limits);
        return await history.QueryWorkflowAsync(ns, request, context.CancellationToken);
    }

    public virtual async Task<RespondQueryTaskCompletedResponse> RespondQueryTaskCompleted(RespondQueryTaskCompletedRequest request, ServerCallContext context)
    {
        await TokenInNamespaceAsync(request.Namespace, request.TaskToken, context);
        history.RespondQueryTaskCompleted(request);
        return new RespondQueryTaskCompletedResponse();
    }

    public virtual async Task<ResetStickyTaskQueueResponse> ResetStickyTaskQueue(ResetStickyTaskQueueRequest request, ServerCallContext context)
    {
        var ns = await NamespaceAsync(request.Namespace, context);
        ReadRequestsValidation.Validate(request);
        await history.ResetStickyTaskQueueAsync(ns, request.Execution, context.CancellationToken);
        return new ResetStickyTaskQueueResponse();
    }

    /// <summary>How long a history or update long poll may wait before answering with what there is.</summary>
    /// <remarks>With less than the 1 s budget left, wait out the caller's deadline: it then times out, as upstream.</remarks>
    private TimeSpan LongPollWait(ServerCallContext context)
    {
        var remaining = Remaining(context);
        if (remaining <= PollReturnBudget)
        {
            return remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
        }
        return Min(HistoryLimits.LongPollExpiration, remaining - PollReturnBudget);
    }

    /// <summary>How long a poll may wait: up to a minute, and always 1 s before the caller's deadline (§6.2).</summary>
    private TimeSpan PollWait(ServerCallContext context) => Min(MaxPollWait, Remaining(context) - PollReturnBudget);

    private TimeSpan Remaining(ServerCallContext context) =>
        context.Deadline == DateTime.MaxValue ? TimeSpan.MaxValue : context.Deadline - time.GetUtcNow().UtcDateTime;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
