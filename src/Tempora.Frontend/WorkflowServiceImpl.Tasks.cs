using Google.Protobuf;
using Grpc.Core;
using Tempora.Core;
using Tempora.Core.Errors;
using Tempora.Frontend.Validation;
using Tempora.History;
using Tempora.Persistence;
using Tempora.Matching;
using Tempora.Matching.Polling;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Frontend;

internal partial class WorkflowServiceImpl
{
    // A poll is validated here, then waits here and at the peers (PollFanOut) for matching's poll loop (TaskPoller).
    public virtual async Task<PollWorkflowTaskQueueResponse> PollWorkflowTaskQueue(PollWorkflowTaskQueueRequest request, ServerCallContext context)
    {
        var ns = await NamespaceAsync(request.Namespace, context);
        UnsupportedFields.Check(request);
        var sticky = request.TaskQueue?.Kind == TaskQueueKind.Sticky;
        var queue = await VersionedQueueAsync(ns.Id, RequireTaskQueue(request.TaskQueue), TaskKind.Workflow, request.DeploymentOptions, sticky, context);
        var poller = new Poller(request.Identity, ns.Name, sticky);
        var deadline = time.GetUtcNow() + PollWait(context);
        using var lease = workerPolls.Track(request.WorkerInstanceKey, context.CancellationToken);
        if (lease is null)
        {
            return new PollWorkflowTaskQueueResponse(); // the worker shut down: nothing more for it
        }
        var response = await polls.PollAsync(queue, request, context, lease.Token,
            ct => taskPoller.PollWorkflowTaskAsync(ns, queue, poller, request, deadline, ct)) ?? new PollWorkflowTaskQueueResponse();
        OutgoingSearchAttributes.Type(response.History, ns);
        return response;
    }

    public virtual async Task<PollActivityTaskQueueResponse> PollActivityTaskQueue(PollActivityTaskQueueRequest request, ServerCallContext context)
    {
        var ns = await NamespaceAsync(request.Namespace, context);
        UnsupportedFields.Check(request);
        var queue = await VersionedQueueAsync(ns.Id, RequireTaskQueue(request.TaskQueue), TaskKind.Activity, request.DeploymentOptions,
            sticky: false, context);
        var poller = new Poller(request.Identity, ns.Name, Sticky: false,
            request.TaskQueueMetadata?.MaxTasksPerSecond ?? Poller.DefaultRatePerSecond);
        var deadline = time.GetUtcNow() + PollWait(context);
        using var lease = workerPolls.Track(request.WorkerInstanceKey, context.CancellationToken);
        if (lease is null)
        {
            return new PollActivityTaskQueueResponse();
        }
        return await polls.PollAsync(queue, request, context, lease.Token,
            ct => taskPoller.PollActivityTaskAsync(ns, queue, poller, request, deadline, ct)) ?? new PollActivityTaskQueueResponse();
    }

    /// <summary>
    /// The queue a poll waits on: for a VERSIONED worker its version's queue, once the version is registered in the
    /// task queue (Temporal 1.28 registers on the first poll). A sticky queue belongs to one worker: it is polled
    /// unversioned and not registered.
    /// </summary>
    private async Task<TaskQueueKey> VersionedQueueAsync(string namespaceId, string name, TaskKind kind,
        Temporalio.Api.Deployment.V1.WorkerDeploymentOptions? options, bool sticky, ServerCallContext context)
    {
        var version = DeploymentValidation.PollVersion(options);
        if (version is null || sticky)
        {
            return new TaskQueueKey(namespaceId, name, kind);
        }
        await registrar.EnsureRegisteredAsync(namespaceId, version, name, kind, context.CancellationToken);
        return new TaskQueueKey(namespaceId, name, kind, version);
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

    public virtual async Task<RespondWorkflowTaskCompletedResponse> RespondWorkflowTaskCompleted(RespondWorkflowTaskCompletedRequest request, ServerCallContext context)
    {
        var ns = await TokenInNamespaceAsync(request.Namespace, request.TaskToken, context);
        UnsupportedFields.Check(request);
        var response = await history.RespondWorkflowTaskCompletedAsync(request, context.CancellationToken);
        OutgoingSearchAttributes.Type(response.WorkflowTask?.History, ns);
        return response;
    }

    public virtual async Task<RespondWorkflowTaskFailedResponse> RespondWorkflowTaskFailed(RespondWorkflowTaskFailedRequest request, ServerCallContext context)
    {
        await TokenInNamespaceAsync(request.Namespace, request.TaskToken, context);
        await history.RespondWorkflowTaskFailedAsync(request, context.CancellationToken);
        return new RespondWorkflowTaskFailedResponse();
    }

    /// <summary>
    /// A worker is stopping: its outstanding polls (matched by worker_instance_key) are answered empty at once, its
    /// sticky queue is dropped and what waited there goes to the normal queue now.
    /// </summary>
    public virtual async Task<ShutdownWorkerResponse> ShutdownWorker(ShutdownWorkerRequest request, ServerCallContext context)
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
        // The worker's sticky tasks, and its polls fanned out to them, wait at the other processes too: tell every one.
        // One that is gone or busy drops them by itself: its sticky tasks fall back to the normal queue.
        await peers.AskPeersAsync<ShutdownWorkerRequest, ShutdownWorkerResponse>(request, context);
        return new ShutdownWorkerResponse();
    }

    public virtual async Task<RecordActivityTaskHeartbeatResponse> RecordActivityTaskHeartbeat(RecordActivityTaskHeartbeatRequest request, ServerCallContext context)
    {
        await TokenInNamespaceAsync(request.Namespace, request.TaskToken, context);
        return await history.RecordActivityTaskHeartbeatAsync(request, context.CancellationToken);
    }

    public virtual async Task<RecordActivityTaskHeartbeatByIdResponse> RecordActivityTaskHeartbeatById(
        RecordActivityTaskHeartbeatByIdRequest request, ServerCallContext context)
    {
        var ns = await NamespaceAsync(request.Namespace, context);
        ActivityByIdValidation.Validate(request.ActivityId);
        return await history.RecordActivityTaskHeartbeatByIdAsync(ns, request, context.CancellationToken);
    }

    public virtual async Task<RespondActivityTaskCompletedResponse> RespondActivityTaskCompleted(RespondActivityTaskCompletedRequest request, ServerCallContext context)
    {
        await TokenInNamespaceAsync(request.Namespace, request.TaskToken, context);
        await history.RespondActivityTaskCompletedAsync(Token(request.TaskToken), request.Result, request.Identity, context.CancellationToken);
        return new RespondActivityTaskCompletedResponse();
    }

    public virtual async Task<RespondActivityTaskCompletedByIdResponse> RespondActivityTaskCompletedById(
        RespondActivityTaskCompletedByIdRequest request, ServerCallContext context)
    {
        var ns = await NamespaceAsync(request.Namespace, context);
        ActivityByIdValidation.Validate(request.ActivityId);
        await history.RespondActivityTaskCompletedByIdAsync(ns, request, context.CancellationToken);
        return new RespondActivityTaskCompletedByIdResponse();
    }

    public virtual async Task<RespondActivityTaskFailedResponse> RespondActivityTaskFailed(RespondActivityTaskFailedRequest request, ServerCallContext context)
    {
        await TokenInNamespaceAsync(request.Namespace, request.TaskToken, context);
#pragma warning disable CS0612 // deprecated in the API; Temporal still records it on the event
        await history.RespondActivityTaskFailedAsync(Token(request.TaskToken), request.Failure, request.LastHeartbeatDetails, request.Identity,
            context.CancellationToken, request.WorkerVersion);
#pragma warning restore CS0612
        return new RespondActivityTaskFailedResponse();
    }

    public virtual async Task<RespondActivityTaskFailedByIdResponse> RespondActivityTaskFailedById(
        RespondActivityTaskFailedByIdRequest request, ServerCallContext context)
    {
        var token = await TokenByIdAsync(request.Namespace, request.WorkflowId, request.RunId, request.ActivityId, context);
        await history.RespondActivityTaskFailedAsync(token, request.Failure, request.LastHeartbeatDetails, request.Identity, context.CancellationToken);
        return new RespondActivityTaskFailedByIdResponse();
    }

    public virtual async Task<RespondActivityTaskCanceledResponse> RespondActivityTaskCanceled(RespondActivityTaskCanceledRequest request, ServerCallContext context)
    {
        await TokenInNamespaceAsync(request.Namespace, request.TaskToken, context);
        await history.RespondActivityTaskCanceledAsync(Token(request.TaskToken), request.Details, request.Identity, context.CancellationToken);
        return new RespondActivityTaskCanceledResponse();
    }

    public virtual async Task<RespondActivityTaskCanceledByIdResponse> RespondActivityTaskCanceledById(
        RespondActivityTaskCanceledByIdRequest request, ServerCallContext context)
    {
        var token = await TokenByIdAsync(request.Namespace, request.WorkflowId, request.RunId, request.ActivityId, context);
        await history.RespondActivityTaskCanceledAsync(token, request.Details, request.Identity, context.CancellationToken);
        return new RespondActivityTaskCanceledByIdResponse();
    }

    private async Task<TaskToken> TokenByIdAsync(string ns, string workflowId, string runId, string activityId, ServerCallContext context)
    {
        var record = await NamespaceAsync(ns, context);
        ActivityByIdValidation.Validate(activityId);
        return await history.TokenByIdAsync(record, workflowId, runId, activityId, context.CancellationToken);
    }

    private static TaskToken Token(ByteString token) => TaskToken.Deserialize(token.Span);

    /// <summary>
    /// A task token carries its namespace; a request naming another one is refused, as Temporal's namespace validator
    /// does. An empty namespace is taken as the token's, whose state is checked then (a deleted namespace's tasks are
    /// not completed). Answers the token's namespace.
    /// </summary>
    private async Task<NamespaceRecord> TokenInNamespaceAsync(string ns, ByteString token, ServerCallContext context)
    {
        if (string.IsNullOrEmpty(ns))
        {
            return NamespaceStates.Check(await history.Namespaces.GetByIdAsync(Token(token).NamespaceId, context.CancellationToken), context.Method);
        }
        var named = await NamespaceAsync(ns, context);
        if (named.Id != Token(token).NamespaceId)
        {
            throw new InvalidArgumentException("Operation requested with a token from a different namespace.");
        }
        return named;
    }
}
