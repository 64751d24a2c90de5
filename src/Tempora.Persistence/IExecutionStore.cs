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

    /// <summary>
    /// One page of a shard's durable timers, earliest first: the rows after <paramref name="after"/> in (fire time,
    /// task id) order that fire before <paramref name="before"/>, at most <paramref name="limit"/>. A range read on
    /// the (shard_id, fire_time, task_id) index, so its cost follows the rows returned, not the rows stored.
    /// </summary>
    Task<IReadOnlyList<TimerTaskRecord>> LoadTimerPageAsync(int shardId, TimerCursor after, DateTimeOffset before, int limit, CancellationToken ct);

    /// <summary>The transfer tasks of the given shards, in task id order.</summary>
    Task<IReadOnlyList<TransferTaskRecord>> LoadTransferTasksAsync(ShardSet shards, CancellationToken ct);

    /// <summary>The matching backlog (workflow and activity tasks) of the given shards, in task id order.</summary>
    Task<IReadOnlyList<MatchingTask>> LoadMatchingTasksAsync(ShardSet shards, CancellationToken ct);

    /// <summary>Removes tasks that turned out stale outside of a transition of their run.</summary>
    Task DeleteTasksAsync(IReadOnlyList<long> timerTaskIds, IReadOnlyList<long> matchingTaskIds, CancellationToken ct);

    /// <summary>Removes transfer tasks whose work is done or moot, outside of a transition of their run.</summary>
    Task DeleteTransferTasksAsync(IReadOnlyList<long> transferTaskIds, CancellationToken ct);

    /// <summary>
    /// Carries over task rows written before task rows had a shard (schema version 3 on SQLite, 7 on PostgreSQL; they
    /// have shard_id 0): each gets its shard, hashed in C# as SQL cannot (<see cref="Shards.Of"/> with
    /// <paramref name="shardCount"/>), and each timer row <paramref name="transferOfLegacyTimer"/> recognises as
    /// transfer work (it answers the transfer task's data, null for a real timer) moves to the transfer tasks, keeping
    /// its task id. Idempotent, and cheap once done: run at every start before any shard's tasks are loaded.
    /// </summary>
    /// <returns>How many rows were carried over.</returns>
    Task<int> UpgradeLegacyTasksAsync(int shardCount, Func<byte[], byte[]?> transferOfLegacyTimer, CancellationToken ct);

    /// <summary>Removes a run with its history and tasks, and the current pointer if it points at this run, under the
    /// fence of its shard (like a transition).</summary>
    Task DeleteExecutionAsync(WorkflowKey key, ShardFence fence, CancellationToken ct);

    /// <summary>A task id at or above every id in use: this process's ids start after it, so they stay unique and
    /// increasing after a restart (on PostgreSQL, a block no other replica gets).</summary>
    Task<long> GetMaxTaskIdAsync(CancellationToken ct);
}
