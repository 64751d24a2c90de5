using Google.Protobuf;
using Grpc.Core;
using Tempora.Core;
using Tempora.Core.Errors;
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
        var queue = new TaskQueueKey(ns.Id, RequireTaskQueue(request.TaskQueue), TaskKind.Workflow);
        var poller = new Poller(request.Identity, ns.Name, request.TaskQueue.Kind == TaskQueueKind.Sticky);
        var deadline = time.GetUtcNow() + PollWait(context);
        while (await NextTaskAsync(queue, poller, deadline, context) is { } task)
        {
            // A stale task (its run moved on) is dropped by history; keep polling within the same deadline.
            if (await StartOrRequeueAsync(task, () => history.RecordWorkflowTaskStartedAsync(ns, task, request, context.CancellationToken)) is { } response)
            {
                return response;
            }
        }
        return new PollWorkflowTaskQueueResponse();
    }

    public async Task<PollActivityTaskQueueResponse> PollActivityTaskQueue(PollActivityTaskQueueRequest request, ServerCallContext context)
    {
        var ns = await NamespaceAsync(request.Namespace, context);
        var queue = new TaskQueueKey(ns.Id, RequireTaskQueue(request.TaskQueue), TaskKind.Activity);
        var poller = new Poller(request.Identity, ns.Name, Sticky: false);
        var deadline = time.GetUtcNow() + PollWait(context);
        while (await NextTaskAsync(queue, poller, deadline, context) is { } task)
        {
            if (await StartOrRequeueAsync(task, () => history.RecordActivityTaskStartedAsync(ns, task, request, context.CancellationToken)) is { } response)
            {
                return response;
            }
        }
        return new PollActivityTaskQueueResponse();
    }

    /// <summary>
    /// Records a matched task as started. If that fails for a reason other than the task being stale (the database is
    /// down, the poller left mid-write), the task goes back to its queue: it is durable, and dropping it from memory
    /// would strand it until a restart. A retry of a start that did commit is found stale and dropped.
    /// </summary>
    private async Task<T?> StartOrRequeueAsync<T>(MatchingTask task, Func<Task<T?>> recordStarted)
        where T : class
    {
        try
        {
            return await recordStarted();
        }
        catch (Exception e) when (e is not EntityNotFoundException && task.Query is null)
        {
            matching.Dispatch(task);
            throw;
        }
    }

    /// <summary>The next task before the deadline, or null: an empty poll is a successful empty response (§0.1).</summary>
    private async Task<MatchingTask?> NextTaskAsync(TaskQueueKey queue, Poller poller, DateTimeOffset deadline, ServerCallContext context)
    {
        var remaining = deadline - time.GetUtcNow();
        if (remaining <= TimeSpan.Zero)
        {
            return null;
        }
        try
        {
            return await matching.PollAsync(queue, poller, remaining, context.CancellationToken);
        }
        catch (OperationCanceledException)
        {
            return null; // the worker went away; nothing was handed out
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
        return taskQueue.Name;
    }

    public Task<RespondWorkflowTaskCompletedResponse> RespondWorkflowTaskCompleted(RespondWorkflowTaskCompletedRequest request, ServerCallContext context) =>
        history.RespondWorkflowTaskCompletedAsync(request, context.CancellationToken);

    public async Task<RespondWorkflowTaskFailedResponse> RespondWorkflowTaskFailed(RespondWorkflowTaskFailedRequest request, ServerCallContext context)
    {
        await history.RespondWorkflowTaskFailedAsync(request, context.CancellationToken);
        return new RespondWorkflowTaskFailedResponse();
    }

    /// <summary>A worker is stopping: its sticky queue is dropped and what waited there goes to the normal queue now.</summary>
    public async Task<ShutdownWorkerResponse> ShutdownWorker(ShutdownWorkerRequest request, ServerCallContext context)
    {
        if (string.IsNullOrEmpty(request.StickyTaskQueue))
        {
            return new ShutdownWorkerResponse();
        }
        var ns = await NamespaceAsync(request.Namespace, context);
        foreach (var task in matching.UnloadQueue(new TaskQueueKey(ns.Id, request.StickyTaskQueue, TaskKind.Workflow)))
        {
            if (task.Query is null)
            {
                await history.RedispatchFromStickyQueueAsync(task, context.CancellationToken);
            }
            // A query left there is withdrawn by its own sticky timeout and re-offered to the normal queue.
        }
        return new ShutdownWorkerResponse();
    }

    public async Task<RecordActivityTaskHeartbeatResponse> RecordActivityTaskHeartbeat(RecordActivityTaskHeartbeatRequest request, ServerCallContext context)
    {
        await NamespaceAsync(request.Namespace, context);
        return await history.RecordActivityTaskHeartbeatAsync(request, context.CancellationToken);
    }

    public async Task<RecordActivityTaskHeartbeatByIdResponse> RecordActivityTaskHeartbeatById(
        RecordActivityTaskHeartbeatByIdRequest request, ServerCallContext context) =>
        await history.RecordActivityTaskHeartbeatByIdAsync(await NamespaceAsync(request.Namespace, context), request, context.CancellationToken);

    public async Task<RespondActivityTaskCompletedResponse> RespondActivityTaskCompleted(RespondActivityTaskCompletedRequest request, ServerCallContext context)
    {
        await NamespaceAsync(request.Namespace, context);
        await history.RespondActivityTaskCompletedAsync(Token(request.TaskToken), request.Result, request.Identity, context.CancellationToken);
        return new RespondActivityTaskCompletedResponse();
    }

    public async Task<RespondActivityTaskCompletedByIdResponse> RespondActivityTaskCompletedById(
        RespondActivityTaskCompletedByIdRequest request, ServerCallContext context)
    {
        var token = await TokenByIdAsync(request.Namespace, request.WorkflowId, request.RunId, request.ActivityId, context);
        await history.RespondActivityTaskCompletedAsync(token, request.Result, request.Identity, context.CancellationToken);
        return new RespondActivityTaskCompletedByIdResponse();
    }

    public async Task<RespondActivityTaskFailedResponse> RespondActivityTaskFailed(RespondActivityTaskFailedRequest request, ServerCallContext context)
    {
        await NamespaceAsync(request.Namespace, context);
        await history.RespondActivityTaskFailedAsync(Token(request.TaskToken), request.Failure, request.LastHeartbeatDetails, request.Identity,
            context.CancellationToken);
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
        await NamespaceAsync(request.Namespace, context);
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
}
