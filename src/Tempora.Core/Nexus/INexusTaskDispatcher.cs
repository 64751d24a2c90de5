namespace Tempora.Core.Nexus;

/// <summary>
/// Hands a Nexus request to the handler workers polling a task queue and waits for their answer (Temporal's matching
/// DispatchNexusTask). Nexus tasks live only in memory: the caller's history retries a request that timed out or got
/// lost, as Temporal does, so nothing here needs to be durable.
/// </summary>
public interface INexusTaskDispatcher
{
    /// <summary>
    /// Offers <paramref name="task"/> to the queue's pollers and waits up to its timeout for a worker's answer. A task
    /// no worker took, or took and did not answer, within the timeout ends as <see cref="NexusTaskOutcome.TimedOut"/>.
    /// </summary>
    Task<NexusTaskOutcome> DispatchAsync(NexusTask task, CancellationToken ct);
}

/// <summary>
/// One Nexus request for a handler namespace's task queue. <paramref name="Caller"/> and
/// <paramref name="ScheduledEventId"/> name the operation that sent it: the task token handed to the worker carries
/// them, so the worker's answer is routed to the process that owns the caller's shard, where the dispatch waits.
/// </summary>
public sealed record NexusTask(
    string NamespaceId, string NamespaceName, string TaskQueue, WorkflowKey Caller, long ScheduledEventId,
    Temporalio.Api.Nexus.V1.Request Request, TimeSpan Timeout);

/// <summary>
/// What became of a dispatched Nexus task: the worker's response (RespondNexusTaskCompleted), its handler error
/// (RespondNexusTaskFailed) in Nexus form or, from a worker told it may (the request's capabilities), as a Temporal
/// failure carrying a NexusHandlerFailureInfo; or none of them when it timed out.
/// </summary>
public sealed record NexusTaskOutcome(Temporalio.Api.Nexus.V1.Response? Response, Temporalio.Api.Nexus.V1.HandlerError? HandlerError)
{
    public static readonly NexusTaskOutcome TimedOutOutcome = new(null, null);

    /// <summary>The handler error as a Temporal failure (RespondNexusTaskFailed's <c>failure</c>).</summary>
    public Temporalio.Api.Failure.V1.Failure? HandlerFailure { get; init; }

    public bool TimedOut => Response is null && HandlerError is null && HandlerFailure is null;
}
