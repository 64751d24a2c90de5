using Microsoft.Extensions.Logging;
using Tempora.Persistence;

namespace Tempora.History.Queues;

/// <summary>
/// Processes transfer tasks: work a run's transition asks of another run. A task is handed to history as soon as its
/// transaction commits, and a shard's pending ones when the shard arrives; the final transition deletes the row. A
/// task whose processing fails is retried a second later, so it is done eventually (also after a restart).
/// </summary>
public sealed partial class TransferQueue : IAsyncDisposable
{
    private readonly TimeProvider _time;
    private readonly DueTaskQueue<TransferTaskRecord> _queue;

    public TransferQueue(TimeProvider time, ILogger<TransferQueue> logger)
    {
        _time = time;
        _queue = new(time, t => t.TaskId, (e, t) => LogTransferFailed(logger, e, t.TaskId, t.Key.NamespaceId, t.Key.WorkflowId, t.Key.RunId));
    }

    public void Start(Func<TransferTaskRecord, CancellationToken, Task> handler) => _queue.Start(handler);

    /// <summary>Queues tasks to run at once, in task id order.</summary>
    public void Add(IEnumerable<TransferTaskRecord> tasks)
    {
        var now = _time.GetUtcNow();
        _queue.Add(tasks, _ => now);
    }

    /// <summary>Drops the queued tasks that match (their shard moved to another process, which loads them itself).</summary>
    public void RemoveWhere(Func<TransferTaskRecord, bool> match) => _queue.RemoveWhere(match);

    public ValueTask DisposeAsync() => _queue.DisposeAsync();

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "Transfer task {TaskId} of {WorkflowId}/{RunId} in namespace {NamespaceId} failed; retrying")]
    private static partial void LogTransferFailed(ILogger logger, Exception e, long taskId, string namespaceId, string workflowId, string runId);
}
