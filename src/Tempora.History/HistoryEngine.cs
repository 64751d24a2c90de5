using Microsoft.Extensions.Logging;
using Tempora.Core;
using Tempora.Core.Metrics;
using Tempora.History.Api;
using Tempora.History.Queues;
using Tempora.History.Updates;
using Tempora.Persistence;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Failure.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History;

/// <summary>
/// The history service as the frontend and the cluster service see it: one method per RPC, each handed to its
/// handler (<c>Api/&lt;Rpc&gt;/</c>). Every handler that changes a run goes through the one <see cref="WorkflowUpdater"/>:
/// load (cache) → lock → transition → persist (one transaction) → release, with tasks handed to matching, the timer
/// queue and the transfer queue only after the commit.
/// </summary>
public sealed partial class HistoryEngine
{
    private readonly IExecutionStore _store;
    private readonly ITaskDispatcher _dispatcher;
    private readonly TimerQueue _timerQueue;
    private readonly TimerPaging _timerPaging;
    private readonly TransferQueue _transferQueue;
    private readonly TaskIdAllocator _taskIds;
    private readonly IShardOwnership _ownership;
    private readonly RunCache _runs;
    private readonly RebuildVerifier _rebuildVerifier;

    private readonly StartWorkflowExecutionHandler _start;
    private readonly SignalWithStartWorkflowExecutionHandler _signalWithStart;
    private readonly SignalWorkflowExecutionHandler _signal;
    private readonly RequestCancelWorkflowExecutionHandler _requestCancel;
    private readonly TerminateWorkflowExecutionHandler _terminate;
    private readonly ResetWorkflowExecutionHandler _reset;
    private readonly DeleteWorkflowExecutionHandler _delete;
    private readonly DeleteClosedRunHandler _deleteClosedRun;
    private readonly DescribeWorkflowExecutionHandler _describe;
    private readonly GetWorkflowExecutionHistoryHandler _getHistory;
    private readonly GetWorkflowExecutionHistoryReverseHandler _getHistoryReverse;
    private readonly UpdateWorkflowExecutionHandler _update;
    private readonly PollWorkflowExecutionUpdateHandler _pollUpdate;
    private readonly ExecuteMultiOperationHandler _multiOperation;
    private readonly QueryWorkflowHandler _query;
    private readonly RespondQueryTaskCompletedHandler _respondQuery;
    private readonly RecordWorkflowTaskStartedHandler _recordWorkflowTaskStarted;
    private readonly RespondWorkflowTaskCompletedHandler _respondWorkflowTaskCompleted;
    private readonly RespondWorkflowTaskFailedHandler _respondWorkflowTaskFailed;
    private readonly ResetStickyTaskQueueHandler _resetSticky;
    private readonly RedispatchFromStickyQueueHandler _redispatchFromSticky;
    private readonly RecordActivityTaskStartedHandler _recordActivityTaskStarted;
    private readonly RecordActivityTaskHeartbeatHandler _heartbeat;
    private readonly RecordActivityTaskHeartbeatByIdHandler _heartbeatById;
    private readonly RespondActivityTaskCompletedHandler _activityCompleted;
    private readonly RespondActivityTaskCompletedByIdHandler _activityCompletedById;
    private readonly RespondActivityTaskFailedHandler _activityFailed;
    private readonly RespondActivityTaskCanceledHandler _activityCanceled;
    private readonly ActivityTokenLookup _activityTokens;
    private readonly StartChildHandler _startChild;
    private readonly StartScheduledHandler _startScheduled;
    private readonly NotifyParentHandler _notifyParent;
    private readonly ParentClosePolicyHandler _parentClosePolicy;
    private readonly ExternalRequestHandler _externalRequests;
    private readonly TimerTaskHandler _timers;
    private readonly PauseActivityHandler _pauseActivity;
    private readonly UnpauseActivityHandler _unpauseActivity;
    private readonly ResetActivityHandler _resetActivity;
    private readonly UpdateActivityOptionsHandler _updateActivityOptions;
    private readonly UpdateWorkflowExecutionOptionsHandler _updateWorkflowOptions;
    private readonly TransferTaskHandler _transfers;
    private readonly NexusCompletionHandler _nexusCompletions;

    public HistoryEngine(
        IExecutionStore store,
        NamespaceRegistry namespaces,
        ITaskDispatcher dispatcher,
        TimerQueue timerQueue,
        TransferQueue transferQueue,
        TaskIdAllocator taskIds,
        TimeProvider time,
        ILogger<HistoryEngine> logger,
        IShardOwnership ownership,
        IRemoteRuns? remote = null,
        IMetrics? metrics = null,
        HistoryOptions? options = null,
        Tempora.Persistence.Nexus.INexusEndpointStore? nexusEndpoints = null,
        Tempora.Core.Nexus.INexusTaskDispatcher? nexusTasks = null,
        Nexus.ISystemNexusOperations? systemNexus = null,
        Tempora.Core.Versioning.IDeploymentRouting? deploymentRouting = null)
    {
        _store = store;
        _dispatcher = dispatcher;
        _timerQueue = timerQueue;
        _transferQueue = transferQueue;
        _taskIds = taskIds;
        _ownership = ownership;
        Namespaces = namespaces;
        Limits = options?.Limits ?? new();
        EagerWorkflowStartEnabled = options?.EnableEagerWorkflowStart == true;
        metrics ??= NullMetrics.Instance;

        _runs = new RunCache(options?.RunCacheMaxBytes ?? HistoryOptions.DefaultRunCacheMaxBytes);
        _timerPaging = options?.TimerPaging ?? TimerPaging.Default;
        var history = new HistoryReader(store, _runs);
        _rebuildVerifier = new RebuildVerifier(history, logger);
        var updater = new WorkflowUpdater(store, namespaces, dispatcher, timerQueue, transferQueue, ownership, taskIds, time, _runs,
            new CommittedTransitionMetrics(metrics), options?.VerifyRebuild == true ? _rebuildVerifier : null, deploymentRouting);
        var runs = new RunResolver(store);
        var signaler = new RunSignaler(updater);
        var terminator = new RunTerminator(updater);
        var starter = new WorkflowStarter(store, Limits, time, updater, signaler, terminator);
        var responses = new WorkflowTaskResponses(history);
        var queryTasks = new QueryTaskRegistry(dispatcher, time);
        var updates = new UpdateWaiter(updater, history, time);
        var steps = new CrossRunSteps(store, updater, ownership, remote);

        _start = new(starter, responses, options?.EnableEagerWorkflowStart == true, metrics);
        _signalWithStart = new(starter);
        _signal = new(runs, signaler);
        _requestCancel = new(runs, updater);
        _terminate = new(runs, terminator);
        _reset = new(store, runs, updater, history);
        _delete = new(store, runs, updater, terminator, ownership);
        _deleteClosedRun = new(store, updater, ownership);
        _describe = new(runs, updater);
        var snapshots = new HistorySnapshots(updater, ownership, time);
        _getHistory = new(runs, snapshots, history);
        _getHistoryReverse = new(runs, snapshots, history);
        _update = new(runs, updater, updates);
        _pollUpdate = new(runs, updates);
        _multiOperation = new(_start, _update);
        _query = new(runs, updater, queryTasks, dispatcher, time);
        _respondQuery = new(queryTasks, Limits);
        _recordWorkflowTaskStarted = new(store, updater, responses, new QueryTaskStarter(updater, history));
        _respondWorkflowTaskCompleted = new(namespaces, updater, responses, Limits, metrics, logger, nexusEndpoints);
        _respondWorkflowTaskFailed = new(updater, Limits);
        _resetSticky = new(runs, updater);
        _redispatchFromSticky = new(updater);
        _recordActivityTaskStarted = new(store, updater);
        _activityFailed = new(updater, Limits);
        _heartbeat = new(updater, _activityFailed, Limits);
        _activityTokens = new(runs, updater);
        _heartbeatById = new(_activityTokens, _heartbeat);
        _activityCompleted = new(updater, Limits);
        _activityCompletedById = new(runs, updater, Limits);
        _activityCanceled = new(updater, Limits);
        _startChild = new(store, namespaces, time, steps, starter, remote, deploymentRouting);
        _startScheduled = new(namespaces, steps, starter, remote);
        _notifyParent = new(steps, remote);
        _parentClosePolicy = new(store, runs, updater, steps, remote);
        _externalRequests = new(store, namespaces, runs, updater, steps, remote);
        _timers = new(store, updater, metrics);
        _pauseActivity = new(runs, updater);
        _unpauseActivity = new(runs, updater);
        _resetActivity = new(runs, updater);
        _updateActivityOptions = new(runs, updater);
        _updateWorkflowOptions = new(runs, updater);
        _nexusCompletions = new(store, namespaces, steps, remote);
        _transfers = new(metrics, _startChild, _notifyParent, _parentClosePolicy, _externalRequests,
            new NexusOperationHandler(store, namespaces, nexusEndpoints, nexusTasks, steps, time, Limits, systemNexus, metrics), _nexusCompletions);
    }

    /// <summary>The size limits this engine enforces.</summary>
    public PayloadLimits Limits { get; }

    /// <summary>Whether a start that asks for eager execution gets its first workflow task (<see cref="HistoryOptions.EnableEagerWorkflowStart"/>).</summary>
    public bool EagerWorkflowStartEnabled { get; }

    /// <summary>Every mismatch the rebuild check found (<see cref="HistoryOptions.VerifyRebuild"/>); the tests expect none.</summary>
    public IReadOnlyCollection<string> RebuildMismatches => _rebuildVerifier.Mismatches;

    public NamespaceRegistry Namespaces { get; }

    /// <summary>
    /// Seeds task ids, carries over task rows an earlier version wrote without a shard, and starts the timer and
    /// transfer queues. The durable timers and tasks of a shard are loaded when the shard
    /// arrives (<see cref="ShardsAcquiredAsync"/>): at once for a single process, as leases are taken on a cluster.
    /// </summary>
    public async Task StartAsync(CancellationToken ct)
    {
        _taskIds.Seed(await _store.GetMaxTaskIdAsync(ct));
        await _store.UpgradeLegacyTasksAsync(_ownership.Count, LegacyTransferTimer.ToTransferTask, ct);
        _timerQueue.Start(_timers.ProcessTimerAsync, []);
        _timerQueue.StartPaging(_store.LoadTimerPageAsync, key => Shards.Of(key.NamespaceId, key.WorkflowId, _ownership.Count), _timerPaging);
        _transferQueue.Start(_transfers.ProcessTransferAsync);
    }

    public Task<StartWorkflowExecutionResponse> StartWorkflowExecutionAsync(NamespaceRecord ns, StartWorkflowExecutionRequest r, CancellationToken ct) =>
        _start.HandleAsync(ns, r, ct);

    public Task<SignalWithStartWorkflowExecutionResponse> SignalWithStartWorkflowExecutionAsync(
        NamespaceRecord ns, SignalWithStartWorkflowExecutionRequest r, CancellationToken ct) => _signalWithStart.HandleAsync(ns, r, ct);

    public Task SignalWorkflowExecutionAsync(NamespaceRecord ns, SignalWorkflowExecutionRequest r, CancellationToken ct) =>
        _signal.HandleAsync(ns, r, ct);

    public Task RequestCancelWorkflowExecutionAsync(NamespaceRecord ns, RequestCancelWorkflowExecutionRequest r, CancellationToken ct) =>
        _requestCancel.HandleAsync(ns, r, ct);

    public Task TerminateWorkflowExecutionAsync(NamespaceRecord ns, TerminateWorkflowExecutionRequest r, CancellationToken ct) =>
        _terminate.HandleAsync(ns, r, ct);

    public Task<ResetWorkflowExecutionResponse> ResetWorkflowExecutionAsync(NamespaceRecord ns, ResetWorkflowExecutionRequest r, CancellationToken ct) =>
        _reset.HandleAsync(ns, r, ct);

    /// <summary>Deletes a run with its history; a running run is terminated first, as upstream does.</summary>
    public Task DeleteWorkflowExecutionAsync(NamespaceRecord ns, DeleteWorkflowExecutionRequest r, CancellationToken ct) =>
        _delete.HandleAsync(ns, r, ct);

    /// <summary>Deletes a closed run and everything it left (retention); an open or missing run is left alone.</summary>
    public Task DeleteClosedRunAsync(WorkflowKey key, CancellationToken ct) => _deleteClosedRun.HandleAsync(key, ct);

    public Task<DescribeWorkflowExecutionResponse> DescribeWorkflowExecutionAsync(
        NamespaceRecord ns, DescribeWorkflowExecutionRequest r, CancellationToken ct) => _describe.HandleAsync(ns, r, ct);

    public Task<GetWorkflowExecutionHistoryResponse> GetWorkflowExecutionHistoryAsync(
        NamespaceRecord ns, GetWorkflowExecutionHistoryRequest r, bool appendTransientEvents, TimeSpan maxWait, CancellationToken ct) =>
        _getHistory.HandleAsync(ns, r, appendTransientEvents, maxWait, ct);

    public Task<GetWorkflowExecutionHistoryReverseResponse> GetWorkflowExecutionHistoryReverseAsync(
        NamespaceRecord ns, GetWorkflowExecutionHistoryReverseRequest r, CancellationToken ct) => _getHistoryReverse.HandleAsync(ns, r, ct);

    public Task<UpdateWorkflowExecutionResponse> UpdateWorkflowExecutionAsync(NamespaceRecord ns, UpdateWorkflowExecutionRequest r,
        TimeSpan maxWait, CancellationToken ct) => _update.HandleAsync(ns, r, maxWait, ct);

    public Task<PollWorkflowExecutionUpdateResponse> PollWorkflowExecutionUpdateAsync(NamespaceRecord ns, PollWorkflowExecutionUpdateRequest r,
        TimeSpan maxWait, CancellationToken ct) => _pollUpdate.HandleAsync(ns, r, maxWait, ct);

    /// <summary>Update-with-start: a StartWorkflowExecution and an UpdateWorkflowExecution applied together.</summary>
    public Task<ExecuteMultiOperationResponse> ExecuteMultiOperationAsync(NamespaceRecord ns, ExecuteMultiOperationRequest r,
        TimeSpan maxWait, CancellationToken ct) => _multiOperation.HandleAsync(ns, r, maxWait, ct);

    public Task<QueryWorkflowResponse> QueryWorkflowAsync(NamespaceRecord ns, QueryWorkflowRequest r, CancellationToken ct) =>
        _query.HandleAsync(ns, r, ct);

    public void RespondQueryTaskCompleted(RespondQueryTaskCompletedRequest r) => _respondQuery.Handle(r);

    /// <summary>
    /// Called when matching hands a workflow task to a poller: records the start (WorkflowTaskStarted) and builds the
    /// poll response. Returns null when the task is stale, after dropping it.
    /// </summary>
    public Task<PollWorkflowTaskQueueResponse?> RecordWorkflowTaskStartedAsync(
        NamespaceRecord ns, MatchingTask task, PollWorkflowTaskQueueRequest poll, CancellationToken ct) =>
        _recordWorkflowTaskStarted.HandleAsync(ns, task, poll, ct);

    public Task<RespondWorkflowTaskCompletedResponse> RespondWorkflowTaskCompletedAsync(RespondWorkflowTaskCompletedRequest r, CancellationToken ct) =>
        _respondWorkflowTaskCompleted.HandleAsync(r, ct);

    public Task RespondWorkflowTaskFailedAsync(RespondWorkflowTaskFailedRequest r, CancellationToken ct) =>
        _respondWorkflowTaskFailed.HandleAsync(r, ct);

    /// <summary>Clears stickiness so the next workflow task goes to the normal queue with full history.</summary>
    public Task ResetStickyTaskQueueAsync(NamespaceRecord ns, WorkflowExecution execution, CancellationToken ct) =>
        _resetSticky.HandleAsync(ns, execution, ct);

    /// <summary>Moves a workflow task waiting on a sticky queue whose worker went away to the normal queue at once.</summary>
    public Task RedispatchFromStickyQueueAsync(MatchingTask task, CancellationToken ct) => _redispatchFromSticky.HandleAsync(task, ct);

    /// <summary>Records that a poller took an activity attempt and builds its poll response; null when stale.</summary>
    public Task<PollActivityTaskQueueResponse?> RecordActivityTaskStartedAsync(
        NamespaceRecord ns, MatchingTask task, PollActivityTaskQueueRequest poll, CancellationToken ct) =>
        _recordActivityTaskStarted.HandleAsync(ns, task, poll, ct);

    public Task<RecordActivityTaskHeartbeatResponse> RecordActivityTaskHeartbeatAsync(RecordActivityTaskHeartbeatRequest r, CancellationToken ct) =>
        _heartbeat.HandleAsync(r, ct);

    public Task<RecordActivityTaskHeartbeatByIdResponse> RecordActivityTaskHeartbeatByIdAsync(
        NamespaceRecord ns, RecordActivityTaskHeartbeatByIdRequest r, CancellationToken ct) => _heartbeatById.HandleAsync(ns, r, ct);

    /// <summary>Completes an activity addressed by id (one not started yet too, as Temporal does for a forced completion).</summary>
    public Task RespondActivityTaskCompletedByIdAsync(NamespaceRecord ns, RespondActivityTaskCompletedByIdRequest r, CancellationToken ct) =>
        _activityCompletedById.HandleAsync(ns, r, ct);

    public Task RespondActivityTaskCompletedAsync(TaskToken token, Payloads? result, string identity, CancellationToken ct) =>
        _activityCompleted.HandleAsync(token, result, identity, ct);

    public Task RespondActivityTaskFailedAsync(TaskToken token, Failure? failure, Payloads? lastHeartbeatDetails, string identity, CancellationToken ct,
        WorkerVersionStamp? workerVersion = null) =>
        _activityFailed.HandleAsync(token, failure, lastHeartbeatDetails, identity, ct, workerVersion);

    public Task RespondActivityTaskCanceledAsync(TaskToken token, Payloads? details, string identity, CancellationToken ct) =>
        _activityCanceled.HandleAsync(token, details, identity, ct);

    /// <summary>Builds the token of the current attempt of an activity addressed by id (the *ById RPCs).</summary>
    public Task<TaskToken> TokenByIdAsync(NamespaceRecord ns, string workflowId, string runId, string activityId, CancellationToken ct) =>
        _activityTokens.TokenByIdAsync(ns, workflowId, runId, activityId, ct);

    /// <summary>The child's side of a child start, run by the process that owns the child's shard.</summary>
    public Task<ChildStartOutcome> StartChildHereAsync(ChildStartCall call, CancellationToken ct) => _startChild.StartChildHereAsync(call, ct);

    /// <summary>Starts a schedule's workflow with the schedule's write in the same transaction, on the owner of the
    /// workflow's shard (here or forwarded).</summary>
    public Task<ScheduledStartOutcome> StartScheduledAsync(ScheduledStartCall call, CancellationToken ct) => _startScheduled.StartAsync(call, ct);

    public Task<ScheduledStartOutcome> StartScheduledHereAsync(ScheduledStartCall call, CancellationToken ct) => _startScheduled.StartHereAsync(call, ct);

    /// <summary>Records a child's close on its parent, run by the process that owns the parent's shard.</summary>
    public Task<bool> NotifyParentHereAsync(TransferTaskRecord timer, CancellationToken ct) => _notifyParent.NotifyParentHereAsync(timer, ct);

    public Task<bool> CompleteNexusOperationHereAsync(TransferTaskRecord task, CancellationToken ct) => _nexusCompletions.CompleteHereAsync(task, ct);

    /// <summary>Cancels or terminates a closed parent's child, run by the process that owns the child's shard.</summary>
    public Task<bool> ApplyParentClosePolicyHereAsync(TransferTaskRecord timer, CancellationToken ct) =>
        _parentClosePolicy.ApplyParentClosePolicyHereAsync(timer, ct);

    /// <summary>Signals or cancels the target of a workflow's external request, run by the process that owns the target's shard.</summary>
    public Task<int> DeliverExternalRequestHereAsync(ExternalRequestCall call, CancellationToken ct) =>
        _externalRequests.DeliverExternalRequestHereAsync(call, ct);
}
