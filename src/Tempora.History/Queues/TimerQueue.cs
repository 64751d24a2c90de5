using Microsoft.Extensions.Logging;
using Tempora.Persistence;

namespace Tempora.History.Queues;

/// <summary>
/// Fires durable timers. A shard's timer rows are loaded when it arrives and new ones are added after their
/// transaction commits; a due timer is handed to history, whose transition deletes the row. A timer whose handling
/// fails is retried a second later, so an overdue timer always fires eventually (also after a restart).
/// </summary>
public sealed partial class TimerQueue : IAsyncDisposable
{
    private readonly DueTaskQueue<TimerTaskRecord> _queue;

    public TimerQueue(TimeProvider time, ILogger<TimerQueue> logger) =>
        _queue = new(time, t => t.TaskId, (e, t) => LogTimerFailed(logger, e, t.TaskId, t.Key.NamespaceId, t.Key.WorkflowId, t.Key.RunId));

    public void Start(Func<TimerTaskRecord, CancellationToken, Task> handler, IEnumerable<TimerTaskRecord> existing)
    {
        Add(existing);
        _queue.Start(handler);
    }

    /// <summary>Queues timers to fire at their fire time (volatile ones, task id 0, included).</summary>
    public void Add(IEnumerable<TimerTaskRecord> timers) => _queue.Add(timers, t => t.FireTime);

    /// <summary>Drops the queued timers that match (their shard moved to another process, which loads them itself).</summary>
    public void RemoveWhere(Func<TimerTaskRecord, bool> match) => _queue.RemoveWhere(match);

    public ValueTask DisposeAsync() => _queue.DisposeAsync();

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Timer task {TaskId} of {WorkflowId}/{RunId} in namespace {NamespaceId} failed; retrying")]
    private static partial void LogTimerFailed(ILogger logger, Exception e, long taskId, string namespaceId, string workflowId, string runId);
}
