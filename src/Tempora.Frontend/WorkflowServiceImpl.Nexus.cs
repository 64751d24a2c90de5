using Grpc.Core;
using Tempora.Core;
using Tempora.Core.Nexus;
using Tempora.Frontend.Validation;
using Tempora.Matching;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Frontend;

/// <summary>
/// The handler side of Nexus: workers poll Nexus task queues and answer each task (Temporal 1.28's PollNexusTaskQueue,
/// RespondNexusTaskCompleted, RespondNexusTaskFailed). A task is dispatched by the caller's history, in the process
/// that owns the caller's shard (<see cref="INexusTaskDispatcher"/>); a poll reaches every process (PollFanOut), and an
/// answer is routed by its task token to that same process, where the dispatch waits.
/// </summary>
internal partial class WorkflowServiceImpl
{
    public virtual async Task<PollNexusTaskQueueResponse> PollNexusTaskQueue(PollNexusTaskQueueRequest request, ServerCallContext context)
    {
        // Temporal checks the queue and identity before it looks the namespace up.
        var name = NexusTaskValidation.Validate(request);
        UnsupportedFields.Check(request);
        var ns = await NamespaceAsync(request.Namespace, context);
        var sticky = request.TaskQueue.Kind == TaskQueueKind.Sticky;
        var queue = await VersionedQueueAsync(ns.Id, name, TaskKind.Nexus, request.DeploymentOptions, sticky, context);
        var poller = new Poller(request.Identity, ns.Name, sticky);
        var deadline = time.GetUtcNow() + PollWait(context);
        using var lease = workerPolls.Track(request.WorkerInstanceKey, context.CancellationToken);
        if (lease is null)
        {
            return new PollNexusTaskQueueResponse(); // the worker shut down: nothing more for it
        }
        return await polls.PollAsync(queue, request, context, lease.Token,
            ct => nexusPoller.PollAsync(queue, poller, deadline, ct)) ?? new PollNexusTaskQueueResponse();
    }

    public virtual async Task<RespondNexusTaskCompletedResponse> RespondNexusTaskCompleted(RespondNexusTaskCompletedRequest request,
        ServerCallContext context)
    {
        var namespaceId = await HandlerNamespaceIdAsync(request.Namespace, context);
        var taskId = NexusTaskValidation.Validate(request);
        nexusTasks.Complete(taskId, namespaceId, new NexusTaskOutcome(request.Response, null));
        return new RespondNexusTaskCompletedResponse();
    }

    public virtual async Task<RespondNexusTaskFailedResponse> RespondNexusTaskFailed(RespondNexusTaskFailedRequest request, ServerCallContext context)
    {
        var namespaceId = await HandlerNamespaceIdAsync(request.Namespace, context);
        var taskId = NexusTaskValidation.Validate(request);
        nexusTasks.Complete(taskId, namespaceId, new NexusTaskOutcome(null, request.Error) { HandlerFailure = request.Failure });
        return new RespondNexusTaskFailedResponse();
    }

    /// <summary>
    /// The namespace an answer names: the handler's, checked against the task's when the dispatch is found (a Nexus
    /// token carries the caller's namespace, for routing, so it cannot be compared with the token as other tokens
    /// are). Unnamed, it is not checked, as Temporal takes the token's namespace then.
    /// </summary>
    private async Task<string?> HandlerNamespaceIdAsync(string name, ServerCallContext context) =>
        string.IsNullOrEmpty(name) ? null : (await NamespaceAsync(name, context)).Id;
}
