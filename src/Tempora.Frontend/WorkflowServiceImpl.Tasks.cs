using Google.Protobuf;
using Grpc.Core;
using Tempora.Core;
using Tempora.Core.Errors;
using Tempora.Frontend.Cluster;
using Tempora.Frontend.Validation;
using Tempora.Persistence;
using Tempora.Matching;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Frontend;

public sealed partial class WorkflowServiceImpl
{
    public async Task<PollWorkflowTaskQueueResponse> PollWorkflowTaskQueue(PollWorkflowTaskQueueRequest request, ServerCallContext context)
    {
        var ns = await NamespaceAsync(request.Namespace, context);
        UnsupportedFields.Check(request);
        var queue = new TaskQueueKey(ns.Id, RequireTaskQueue(request.TaskQueue), TaskKind.Workflow);
        var poller = new Poller(request.Identity, ns.Name, request.TaskQueue.Kind == TaskQueueKind.Sticky);
        var deadline = time.GetUtcNow() + PollWait(context);
        using var lease = workerPolls.Track(request.WorkerInstanceKey, context.CancellationToken);
        if (lease is null)
        {
            return new PollWorkflowTaskQueueResponse(); // the worker shut down: nothing more for it
        }
        return await PollAcrossClusterAsync(queue, request, context, lease.Token, ct => PollHereAsync(queue, poller, deadline,
            task => history.RecordWorkflowTaskStartedAsync(ns, task, request, ct), ct)) ?? new PollWorkflowTaskQueueResponse();
    }

    public async Task<PollActivityTaskQueueResponse> PollActivityTaskQueue(PollActivityTaskQueueRequest request, ServerCallContext context)
    {
        var ns = await NamespaceAsync(request.Namespace, context);
        UnsupportedFields.Check(request);
        var queue = new TaskQueueKey(ns.Id, RequireTaskQueue(request.TaskQueue), TaskKind.Activity);
        var poller = new Poller(request.Identity, ns.Name, Sticky: false);
        var deadline = time.GetUtcNow() + PollWait(context);
        var maxTasksPerSecond = request.TaskQueueMetadata?.MaxTasksPerSecond;
        using var lease = workerPolls.Track(request.WorkerInstanceKey, context.CancellationToken);
        if (lease is null)
        {
            return new PollActivityTaskQueueResponse();
        }
        return await PollAcrossClusterAsync(queue, request, context, lease.Token, ct => PollHereAsync(queue, poller, deadline,
            task => history.RecordActivityTaskStartedAsync(ns, task, request, ct), ct, maxTasksPerSecond)) ?? new PollActivityTaskQueueResponse();
    }

    /// <summary>
    /// Waits on this process's queue and records the task it gets as started; null when the deadline passed. A stale
    /// task (its run moved on) is dropped by history, and the poll goes on within the same deadline.
    /// </summary>
    private async Task<TResponse?> PollHereAsync<TResponse>(TaskQueueKey queue, Poller poller, DateTimeOffset deadline,
        Func<MatchingTask, Task<TResponse?>> recordStarted, CancellationToken ct, double? maxTasksPerSecond = null)
        where TResponse : class
    {
        while (await NextTaskAsync(queue, poller, deadline, ct, maxTasksPerSecond) is { } task)
        {
            if (await StartOrRequeueAsync(task, () => recordStarted(task)) is { } response)
            {
                return response;
            }
        }
        return null;
    }

    /// <summary>
    /// A poll on a cluster. Tasks wait in the matching of the process that owns their run's shard, and a worker's
    /// poll reaches one process, so the poll waits here and, forwarded, at every other live process at once: the
    /// first task wins and the other polls are called off. A called-off poll that had a task started just then
    /// hands it to the next poll of the same queue here (<see cref="PollHandoff"/>) instead of leaving it to time out.
    /// A forwarded poll, or one on a single process, waits here only. <paramref name="ct"/> ends the poll early (the
    /// caller went away, or its worker shut down).
    /// </summary>
    private async Task<TResponse?> PollAcrossClusterAsync<TRequest, TResponse>(
        TaskQueueKey queue, TRequest request, ServerCallContext context, CancellationToken ct, Func<CancellationToken, Task<TResponse?>> here)
        where TRequest : class
        where TResponse : class
    {
        if (handoff.TryTake<TResponse>(queue) is { } ready)
        {
            return ready;
        }
        var peers = ownership.Peers;
        if (peers.Count == 0 || ClusterChannels.IsForwarded(context))
        {
            return await here(ct);
        }
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var local = here(stop.Token);
        var pending = new List<Task<TResponse?>> { local };
        foreach (var peer in peers)
        {
            pending.Add(PollPeerAsync<TRequest, TResponse>(peer, request, context, stop.Token));
        }
        TResponse? found = null;
        while (found is null && pending.Count > 0)
        {
            var done = await Task.WhenAny(pending);
            pending.Remove(done);
            if (done.IsCompletedSuccessfully)
            {
                found = done.Result;
            }
        }
        await stop.CancelAsync();
        foreach (var late in pending)
        {
            _ = handoff.KeepLateAsync(queue, late);
        }
        if (found is null && local.IsFaulted)
        {
            await local; // this process's own failure (the database is down, say) is the caller's answer
        }
        return found;
    }

    /// <summary>The same poll at a peer; null when it found nothing, was called off, or the peer is unreachable.</summary>
    private async Task<TResponse?> PollPeerAsync<TRequest, TResponse>(string peer, TRequest request, ServerCallContext context, CancellationToken ct)
        where TRequest : class
        where TResponse : class
    {
        try
        {
            var response = await channels.ForwardAsync<TRequest, TResponse>(peer, context.Method, request, ClusterChannels.ForwardOptions(context, ct));
            return response switch
            {
                PollWorkflowTaskQueueResponse w when w.TaskToken.IsEmpty => null,
                PollActivityTaskQueueResponse a when a.TaskToken.IsEmpty => null,
                _ => response,
            };
        }
        catch (RpcException)
        {
            return null;
        }
    }

    /// <summary>
    /// Records a matched task as started. If that fails for a reason other than the task being stale (the database is
    /// down, the poller left mid-write), the task goes back to its queue: it is durable, and dropping it from memory
    /// would strand it until a restart. A retry of a start that did commit is found stale and dropped. A task whose
    /// shard moved to another process is dropped too: that process loaded it with the shard.
    /// </summary>
    private async Task<T?> StartOrRequeueAsync<T>(MatchingTask task, Func<Task<T?>> recordStarted)
        where T : class
    {
        try
        {
            return await recordStarted();
        }
        catch (Exception e) when (e is not EntityNotFoundException and not ShardOwnershipLostException && task.Query is null)
        {
            matching.Dispatch(task);
            throw;
        }
    }

    /// <summary>The next task before the deadline, or null: an empty poll is a successful empty response (§0.1).</summary>
    private async Task<MatchingTask?> NextTaskAsync(TaskQueueKey queue, Poller poller, DateTimeOffset deadline, CancellationToken ct,
        double? maxTasksPerSecond)
    {
        var remaining = deadline - time.GetUtcNow();
        if (remaining <= TimeSpan.Zero)
        {
            return null;
        }
        try
        {
            return await matching.PollAsync(queue, poller, remaining, ct, maxTasksPerSecond);
        }
        catch (OperationCanceledException)
        {
            return null; // the worker went away, or another process answered the poll; nothing was handed out
        }
    }

    private static string RequireTaskQueue(Temporalio.Api.TaskQueue.V1.TaskQueue? taskQueue)
    {
        if (string.IsNullOrEmpty(taskQueue?.Name))
        {
            throw new InvalidArgumentException("TaskQueue is not set on request.");
        }
        if (taskQueue.Name.Length > History.HistoryLimits.MaxIdLength)
        {
            throw new InvalidArgumentException("TaskQueue length exceeds limit.");
        }
        History.Validation.TaskQueueNames.CheckNotReserved(taskQueue.Name);
        return taskQueue.Name;
    }

    public async Task<RespondWorkflowTaskCompletedResponse> RespondWorkflowTaskCompleted(RespondWorkflowTaskCompletedRequest request, ServerCallContext context)
    {
        await TokenInNamespaceAsync(request.Namespace, request.TaskToken, context);
        UnsupportedFields.Check(request);
        return await history.RespondWorkflowTaskCompletedAsync(request, context.CancellationToken);
    }

    public async Task<RespondWorkflowTaskFailedResponse> RespondWorkflowTaskFailed(RespondWorkflowTaskFailedRequest request, ServerCallContext context)
    {
        await TokenInNamespaceAsync(request.Namespace, request.TaskToken, context);
        await history.RespondWorkflowTaskFailedAsync(request, context.CancellationToken);
        return new RespondWorkflowTaskFailedResponse();
    }

    /// <summary>
    /// A worker is stopping: its outstanding polls (matched by worker_instance_key) are answered empty at once, its
    /// sticky queue is dropped and what waited there goes to the normal queue now.
    /// </summary>
    public async Task<ShutdownWorkerResponse> ShutdownWorker(ShutdownWorkerRequest request, ServerCallContext context)
    {
        var ns = await NamespaceAsync(request.Namespace, context); // an unknown namespace is an error here too, as in Temporal
        if (string.IsNullOrEmpty(request.StickyTaskQueue) && string.IsNullOrEmpty(request.WorkerInstanceKey))
        {
            return new ShutdownWorkerResponse();
        }
        workerPolls.ShutDown(request.WorkerInstanceKey);
        if (!string.IsNullOrEmpty(request.StickyTaskQueue))
        {
            foreach (var task in matching.UnloadQueue(new TaskQueueKey(ns.Id, request.StickyTaskQueue, TaskKind.Workflow)))
            {
                if (task.Query is null)
                {
                    await history.RedispatchFromStickyQueueAsync(task, context.CancellationToken);
                }
                // A query left there is withdrawn by its own sticky timeout and re-offered to the normal queue.
            }
        }
        if (!ClusterChannels.IsForwarded(context))
        {
            // The worker's sticky tasks, and its polls fanned out to them, wait at the other processes too: tell every one.
            await Task.WhenAll(ownership.Peers.Select(async peer =>
            {
                try
                {
                    await channels.ForwardAsync<ShutdownWorkerRequest, ShutdownWorkerResponse>(peer, context.Method, request, ClusterChannels.ForwardOptions(context));
                }
                catch (RpcException)
                {
                    // that process is gone or busy; its sticky tasks fall back to the normal queue on their own
                }
            }));
        }
        return new ShutdownWorkerResponse();
    }

    public async Task<RecordActivityTaskHeartbeatResponse> RecordActivityTaskHeartbeat(RecordActivityTaskHeartbeatRequest request, ServerCallContext context)
    {
        await TokenInNamespaceAsync(request.Namespace, request.TaskToken, context);
        return await history.RecordActivityTaskHeartbeatAsync(request, context.CancellationToken);
    }

    public async Task<RecordActivityTaskHeartbeatByIdResponse> RecordActivityTaskHeartbeatById(
        RecordActivityTaskHeartbeatByIdRequest request, ServerCallContext context) =>
        await history.RecordActivityTaskHeartbeatByIdAsync(await NamespaceAsync(request.Namespace, context), request, context.CancellationToken);

    public async Task<RespondActivityTaskCompletedResponse> RespondActivityTaskCompleted(RespondActivityTaskCompletedRequest request, ServerCallContext context)
    {
        await TokenInNamespaceAsync(request.Namespace, request.TaskToken, context);
        await history.RespondActivityTaskCompletedAsync(Token(request.TaskToken), request.Result, request.Identity, context.CancellationToken);
        return new RespondActivityTaskCompletedResponse();
    }

    public async Task<RespondActivityTaskCompletedByIdResponse> RespondActivityTaskCompletedById(
        RespondActivityTaskCompletedByIdRequest request, ServerCallContext context)
    {
        await history.RespondActivityTaskCompletedByIdAsync(await NamespaceAsync(request.Namespace, context), request, context.CancellationToken);
        return new RespondActivityTaskCompletedByIdResponse();
    }

    public async Task<RespondActivityTaskFailedResponse> RespondActivityTaskFailed(RespondActivityTaskFailedRequest request, ServerCallContext context)
    {
        await TokenInNamespaceAsync(request.Namespace, request.TaskToken, context);
#pragma warning disable CS0612 // deprecated in the API; Temporal still records it on the event
        await history.RespondActivityTaskFailedAsync(Token(request.TaskToken), request.Failure, request.LastHeartbeatDetails, request.Identity,
            context.CancellationToken, request.WorkerVersion);
#pragma warning restore CS0612
        return new RespondActivityTaskFailedResponse();
    }

    public async Task<RespondActivityTaskFailedByIdResponse> RespondActivityTaskFailedById(
        RespondActivityTaskFailedByIdRequest request, ServerCallContext context)
    {
        var token = await TokenByIdAsync(request.Namespace, request.WorkflowId, request.RunId, request.ActivityId, context);
        await history.RespondActivityTaskFailedAsync(token, request.Failure, request.LastHeartbeatDetails, request.Identity, context.CancellationToken);
        return new RespondActivityTaskFailedByIdResponse();
    }

    public async Task<RespondActivityTaskCanceledResponse> RespondActivityTaskCanceled(RespondActivityTaskCanceledRequest request, ServerCallContext context)
    {
        await TokenInNamespaceAsync(request.Namespace, request.TaskToken, context);
        await history.RespondActivityTaskCanceledAsync(Token(request.TaskToken), request.Details, request.Identity, context.CancellationToken);
        return new RespondActivityTaskCanceledResponse();
    }

    public async Task<RespondActivityTaskCanceledByIdResponse> RespondActivityTaskCanceledById(
        RespondActivityTaskCanceledByIdRequest request, ServerCallContext context)
    {
        var token = await TokenByIdAsync(request.Namespace, request.WorkflowId, request.RunId, request.ActivityId, context);
        await history.RespondActivityTaskCanceledAsync(token, request.Details, request.Identity, context.CancellationToken);
        return new RespondActivityTaskCanceledByIdResponse();
    }

    private async Task<TaskToken> TokenByIdAsync(string ns, string workflowId, string runId, string activityId, ServerCallContext context) =>
        await history.TokenByIdAsync(await NamespaceAsync(ns, context), workflowId, runId, activityId, context.CancellationToken);

    private static TaskToken Token(ByteString token) => TaskToken.Deserialize(token.Span);

    /// <summary>
    /// A task token carries its namespace; a request naming another one is refused, as Temporal's namespace validator
    /// does. An empty namespace is taken as the token's.
    /// </summary>
    private async Task TokenInNamespaceAsync(string ns, ByteString token, ServerCallContext context)
    {
        if (string.IsNullOrEmpty(ns))
        {
            return;
        }
        var named = await NamespaceAsync(ns, context);
        if (named.Id != Token(token).NamespaceId)
        {
            throw new InvalidArgumentException("Operation requested with a token from a different namespace.");
        }
    }
}
