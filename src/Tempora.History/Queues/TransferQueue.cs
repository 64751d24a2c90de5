using Microsoft.Extensions.Logging;
using Tempora.History.Execution;
using Tempora.Persistence;

namespace Tempora.History.Queues;

/// <summary>
/// Processes transfer tasks: work a run's transition asks of another run. A task is handed to history as soon as its
/// transaction commits, and a shard's pending ones when the shard arrives; the final transition deletes the row. A
/// task whose processing fails is retried a second later, so it is done eventually (also after a restart).
/// Nexus start and cancel requests wait for a handler's answer (up to 10 s each), so they run in a queue of their own
/// (Temporal's outbound queue): requests to an endpoint nobody serves cannot hold up the children and signals of
/// other runs.
/// </summary>
public sealed partial class TransferQueue : IAsyncDisposable
{
    private readonly TimeProvider _time;
    private readonly DueTaskQueue<TransferTaskRecord> _queue;
    private readonly DueTaskQueue<TransferTaskRecord> _outbound;

    public TransferQueue(TimeProvider time, ILogger<TransferQueue> logger)
    {
        _time = time;
        _queue = new(time, t => t.TaskId, (e, t) => LogTransferFailed(logger, e, t.TaskId, t.Key.NamespaceId, t.Key.WorkflowId, t.Key.RunId));
        _outbound = new(time, t => t.TaskId, (e, t) => LogTransferFailed(logger, e, t.TaskId, t.Key.NamespaceId, t.Key.WorkflowId, t.Key.RunId));
    }

    public void Start(Func<TransferTaskRecord, CancellationToken, Task> handler)
    {
        _queue.Start(handler);
        _outbound.Start(handler);
    }

    /// <summary>Queues tasks to run at once, in task id order.</summary>
    public void Add(IEnumerable<TransferTaskRecord> tasks)
    {
        var now = _time.GetUtcNow();
        List<TransferTaskRecord>? outbound = null;
        List<TransferTaskRecord>? other = null;
        foreach (var task in tasks)
        {
            if (IsOutbound(task))
            {
                (outbound ??= []).Add(task);
            }
            else
            {
                (other ??= []).Add(task);
            }
        }
        if (other is not null)
        {
            _queue.Add(other, _ => now);
        }
        if (outbound is not null)
        {
            _outbound.Add(outbound, _ => now);
        }
    }

    /// <summary>A Nexus request; a row that does not parse goes to the ordinary queue, whose handler reports it.</summary>
    private static bool IsOutbound(TransferTaskRecord task)
    {
        try
        {
            return StateSerializer.DeserializeValue<TransferTaskInfo>(task.Data).Kind is TransferTaskKind.InvokeNexusOperation or TransferTaskKind.CancelNexusOperation;
        }
        catch (CorruptDataException)
        {
            return false;
        }
    }

    /// <summary>Drops the queued tasks that match (their shard moved to another process, which loads them itself).</summary>
    public void RemoveWhere(Func<TransferTaskRecord, bool> match)
    {
        _queue.RemoveWhere(match);
        _outbound.RemoveWhere(match);
    }

    public async ValueTask DisposeAsync()
    {
        await _queue.DisposeAsync();
        await _outbound.DisposeAsync();
    }

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "Transfer task {TaskId} of {WorkflowId}/{RunId} in namespace {NamespaceId} failed; retrying")]
    private static partial void LogTransferFailed(ILogger logger, Exception e, long taskId, string namespaceId, string workflowId, string runId);
}
