using Tempora.Core;
using Tempora.Visibility;

namespace Tempora.Persistence;

/// <summary>A namespace row: the API's own info and config messages, stored as protobuf.</summary>
public sealed record NamespaceRecord(
    string Id, string Name, Temporalio.Api.Namespace.V1.NamespaceInfo Info, Temporalio.Api.Namespace.V1.NamespaceConfig Config)
{
    /// <summary>Custom search attributes registered in the namespace (OperatorService.AddSearchAttributes).</summary>
    public IReadOnlyDictionary<string, Tempora.Visibility.Query.SearchAttributeType> CustomSearchAttributes { get; init; } =
        new Dictionary<string, Tempora.Visibility.Query.SearchAttributeType>(StringComparer.Ordinal);

    /// <summary>Set by DeleteNamespace: when the namespace's own row may go, once every other row of it is purged. A
    /// Deleted namespace with this set is still to purge (after a restart too).</summary>
    public DateTimeOffset? DeleteTime { get; init; }

    /// <summary>Value equality, the attribute map compared by content (a record would compare its reference).</summary>
    public bool Equals(NamespaceRecord? other) =>
        other is not null && Id == other.Id && Name == other.Name && Info.Equals(other.Info) && Config.Equals(other.Config)
        && DeleteTime == other.DeleteTime
        && CustomSearchAttributes.Count == other.CustomSearchAttributes.Count
        && CustomSearchAttributes.All(a => other.CustomSearchAttributes.TryGetValue(a.Key, out var t) && t == a.Value);

    public override int GetHashCode() => HashCode.Combine(Id, Name);
}

/// <summary>The persisted form of one run: its mutable state (opaque to the store) and the row version.</summary>
public sealed record ExecutionRecord(WorkflowKey Key, long DbVersion, long NextEventId, int Status, byte[] State);

/// <summary>The pointer from a workflow id to its newest run; enforces one open run per workflow id.</summary>
public sealed record CurrentExecutionRecord(
    string NamespaceId, string WorkflowId, string RunId, string CreateRequestId, int Status, string FirstExecutionRunId);

/// <summary>One batch of history events written by one transaction; Data is a serialized History message.</summary>
public sealed record HistoryBatch(long FirstEventId, long LastEventId, byte[] Data);

/// <summary>A durable timer: deferred work for a run that fires at FireTime (Data is owned by history).</summary>
public sealed record TimerTaskRecord(long TaskId, DateTimeOffset FireTime, WorkflowKey Key, byte[] Data);

/// <summary>How the current-run pointer must look for a new run to be created.</summary>
/// <param name="ExpectedRunId">null: no row may exist for the workflow id; otherwise the row must point at this run.</param>
public sealed record CurrentRunCondition(string? ExpectedRunId);

/// <summary>
/// Everything one state transition of a run changes, written in one transaction or not at all, under the fence of the
/// run's shard as its writer owns it (a successor has the same workflow id, hence the same shard and fence); its task
/// rows carry that shard. <see cref="DeleteAllTasksOfRun"/> removes the run's timer, transfer and matching task rows
/// before the new ones of the same mutation are inserted.
/// </summary>
public sealed record ExecutionMutation(
    WorkflowKey Key,
    ShardFence Fence,
    long ExpectedDbVersion,
    long NextEventId,
    int Status,
    byte[] State,
    IReadOnlyList<HistoryBatch> NewHistory,
    IReadOnlyList<TimerTaskRecord> NewTimerTasks,
    IReadOnlyList<long> DeletedTimerTasks,
    IReadOnlyList<MatchingTask> NewMatchingTasks,
    IReadOnlyList<long> DeletedMatchingTasks,
    bool DeleteAllTasksOfRun)
{
    /// <summary>Transfer tasks this transition creates (written after <see cref="DeleteAllTasksOfRun"/> applies).</summary>
    public IReadOnlyList<TransferTaskRecord> NewTransferTasks { get; init; } = [];

    public IReadOnlyList<long> DeletedTransferTasks { get; init; } = [];

    /// <summary>Set when the run is created by this transition (and the current pointer moves to it).</summary>
    public CurrentRunCondition? CreateWithCurrent { get; init; }

    /// <summary>Set to mirror a status change into the current pointer (only if it still points at this run).</summary>
    public CurrentExecutionRecord? Current { get; init; }

    /// <summary>The run's visibility row after this transition, when it changed (written with the transition).</summary>
    public VisibilityRecord? Visibility { get; init; }

    /// <summary>
    /// A run created by this transition in the same transaction (continue-as-new, workflow retry, cron): it is
    /// written after this one and takes over the current pointer from it.
    /// </summary>
    public ExecutionMutation? Successor { get; init; }

    /// <summary>
    /// A schedule's change caused by this transition (the start of a workflow it schedules), written in the same
    /// transaction: when its condition fails, <see cref="Schedules.ScheduleConditionFailedException"/> is thrown and
    /// nothing of the mutation is written.
    /// </summary>
    public Schedules.ScheduleWrite? Schedule { get; init; }
}
