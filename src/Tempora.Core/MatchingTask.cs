using Tempora.Core.Nexus;

namespace Tempora.Core;

/// <summary>Which kind of worker a task queue serves.</summary>
public enum TaskKind
{
    Workflow = 1,
    Activity = 2,
    Nexus = 3,
}

/// <summary>
/// Identifies one task queue: namespace, name (normal or sticky) and kind of task, and for the pollers of a worker
/// deployment version the version (null: the unversioned queue, workers without deployment options).
/// </summary>
public readonly record struct TaskQueueKey(string NamespaceId, string Name, TaskKind Type, Versioning.DeploymentVersion? Version = null)
{
    /// <summary>The same queue's unversioned or other version's physical queue.</summary>
    public TaskQueueKey WithVersion(Versioning.DeploymentVersion? version) => this with { Version = version };
}

/// <summary>
/// A unit of work waiting for a poller. Matching tasks are hints: history re-validates against mutable state when a
/// poller takes one, so a stale task is dropped, never executed twice. Workflow and activity tasks are persisted
/// (TaskId > 0) in the transaction that created them; query and Nexus tasks live only in memory.
/// </summary>
public sealed record MatchingTask(
    long TaskId, TaskQueueKey Queue, string WorkflowId, string RunId, long ScheduledEventId, int Attempt,
    DateTimeOffset CreatedTime)
{
    /// <summary>Set for a legacy query task, which is answered through RespondQueryTaskCompleted.</summary>
    public QueryTask? Query { get; init; }

    /// <summary>Set for a Nexus task, which is answered through RespondNexusTaskCompleted or RespondNexusTaskFailed.</summary>
    public QueuedNexusTask? Nexus { get; init; }

    /// <summary>
    /// The worker deployment version whose pollers alone may take the task (its run is pinned); null for a task
    /// routed by the queue's current and ramping versions, or of a run that does not use versioning.
    /// </summary>
    public Versioning.DeploymentVersion? PinnedTo { get; init; }

    /// <summary>Set for a workflow task on a worker's sticky queue: that one worker's queue, never re-routed by version.</summary>
    public bool Sticky { get; init; }

    /// <summary>Whether the task lives only in memory (no row backs it): a legacy query or a Nexus task.</summary>
    public bool InMemoryOnly => Query is not null || Nexus is not null;
}

/// <summary>
/// One delivery of a query to a task queue. A query first offered to a sticky queue and then to the normal queue
/// gets a second QueryTask sharing the same answer; <see cref="TryClaim"/> makes sure only one poller takes each.
/// </summary>
public sealed class QueryTask(
    string id, Temporalio.Api.Query.V1.WorkflowQuery query, long historyEndExclusive,
    TaskCompletionSource<Temporalio.Api.WorkflowService.V1.RespondQueryTaskCompletedRequest> answer)
{
    private int _claimed;

    public string Id { get; } = id;
    public Temporalio.Api.Query.V1.WorkflowQuery Query { get; } = query;

    /// <summary>History sent with the query ends here: the state the query was admitted against.</summary>
    public long HistoryEndExclusive { get; } = historyEndExclusive;
    public TaskCompletionSource<Temporalio.Api.WorkflowService.V1.RespondQueryTaskCompletedRequest> Answer { get; } = answer;

    public bool IsClaimed => Volatile.Read(ref _claimed) != 0;

    /// <summary>Takes the query for one poller (or withdraws it); false if someone already did.</summary>
    public bool TryClaim() => Interlocked.Exchange(ref _claimed, 1) == 0;
}
