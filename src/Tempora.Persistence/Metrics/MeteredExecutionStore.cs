using Tempora.Core;
using Tempora.Core.Metrics;
using static Tempora.Persistence.Metrics.PersistenceMetrics;

namespace Tempora.Persistence.Metrics;

/// <summary>Counts and times every call (temporalio/temporal:common/persistence/persistence_metric_clients.go);
/// operations carry Temporal's persistence operation names.</summary>
public sealed class MeteredExecutionStore(IExecutionStore inner, IMetrics metrics) : IExecutionStore
{
    public Task WriteAsync(ExecutionMutation mutation, CancellationToken ct) =>
        MeasureAsync(metrics, "UpdateWorkflowExecution", () => inner.WriteAsync(mutation, ct));

    public Task<ExecutionRecord?> GetExecutionAsync(WorkflowKey key, CancellationToken ct) =>
        MeasureAsync(metrics, "GetWorkflowExecution", () => inner.GetExecutionAsync(key, ct));

    public Task<CurrentExecutionRecord?> GetCurrentExecutionAsync(string namespaceId, string workflowId, CancellationToken ct) =>
        MeasureAsync(metrics, "GetCurrentExecution", () => inner.GetCurrentExecutionAsync(namespaceId, workflowId, ct));

    public Task<IReadOnlyList<HistoryBatch>> ReadHistoryAsync(WorkflowKey key, long fromEventId, long toEventIdExclusive, CancellationToken ct) =>
        MeasureAsync(metrics, "ReadHistoryBranch", () => inner.ReadHistoryAsync(key, fromEventId, toEventIdExclusive, ct));


    public Task<IReadOnlyList<TimerTaskRecord>> LoadTimerPageAsync(int shardId, TimerCursor after, DateTimeOffset before, int limit, CancellationToken ct) =>
        MeasureAsync(metrics, "GetTimerTasks", () => inner.LoadTimerPageAsync(shardId, after, before, limit, ct));

    public Task<IReadOnlyList<TransferTaskRecord>> LoadTransferTasksAsync(ShardSet shards, CancellationToken ct) =>
        MeasureAsync(metrics, "GetTransferTasks", () => inner.LoadTransferTasksAsync(shards, ct));

    public Task<IReadOnlyList<MatchingTask>> LoadMatchingTasksAsync(ShardSet shards, CancellationToken ct) =>
        MeasureAsync(metrics, "GetTasks", () => inner.LoadMatchingTasksAsync(shards, ct));

    public Task DeleteTasksAsync(IReadOnlyList<long> timerTaskIds, IReadOnlyList<long> matchingTaskIds, CancellationToken ct) =>
        MeasureAsync(metrics, "CompleteTasks", () => inner.DeleteTasksAsync(timerTaskIds, matchingTaskIds, ct));

    public Task DeleteTransferTasksAsync(IReadOnlyList<long> transferTaskIds, CancellationToken ct) =>
        MeasureAsync(metrics, "CompleteTransferTask", () => inner.DeleteTransferTasksAsync(transferTaskIds, ct));

    public Task<int> UpgradeLegacyTasksAsync(int shardCount, Func<byte[], byte[]?> transferOfLegacyTimer, CancellationToken ct) =>
        MeasureAsync(metrics, "UpgradeLegacyTasks", () => inner.UpgradeLegacyTasksAsync(shardCount, transferOfLegacyTimer, ct));

    public Task DeleteExecutionAsync(WorkflowKey key, ShardFence fence, CancellationToken ct) =>
        MeasureAsync(metrics, "DeleteWorkflowExecution", () => inner.DeleteExecutionAsync(key, fence, ct));

    public Task<long> GetMaxTaskIdAsync(CancellationToken ct) =>
        MeasureAsync(metrics, "GetMaxTaskId", () => inner.GetMaxTaskIdAsync(ct));
}
