using Tempora.Core;

namespace Tempora.Persistence;

/// <summary>Executions, their history and the tasks they create. Each write is one transaction.</summary>
public interface IExecutionStore
{
    /// <summary>Writes a transition. Creation fails with CurrentExecutionConditionFailedException when the current
    /// pointer differs from the condition; an update fails with ExecutionConditionFailedException on a stale version.</summary>
    Task WriteAsync(ExecutionMutation mutation, CancellationToken ct);

    Task<ExecutionRecord?> GetExecutionAsync(WorkflowKey key, CancellationToken ct);

    Task<CurrentExecutionRecord?> GetCurrentExecutionAsync(string namespaceId, string workflowId, CancellationToken ct);

    /// <summary>History batches that hold events in [fromEventId, toEventIdExclusive), in order.</summary>
    Task<IReadOnlyList<HistoryBatch>> ReadHistoryAsync(WorkflowKey key, long fromEventId, long toEventIdExclusive, CancellationToken ct);

    Task<IReadOnlyList<TimerTaskRecord>> LoadTimerTasksAsync(CancellationToken ct);

    Task<IReadOnlyList<MatchingTask>> LoadMatchingTasksAsync(CancellationToken ct);

    /// <summary>Removes tasks that turned out stale outside of a transition of their run.</summary>
    Task DeleteTasksAsync(IReadOnlyList<long> timerTaskIds, IReadOnlyList<long> matchingTaskIds, CancellationToken ct);

    /// <summary>Removes a run with its history and tasks, and the current pointer if it points at this run, under the
    /// fence of its shard (like a transition).</summary>
    Task DeleteExecutionAsync(WorkflowKey key, ShardFence fence, CancellationToken ct);

    /// <summary>A task id at or above every id in use: this process's ids start after it, so they stay unique and
    /// increasing after a restart (on PostgreSQL, a block no other replica gets).</summary>
    Task<long> GetMaxTaskIdAsync(CancellationToken ct);
}
