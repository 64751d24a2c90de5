using System.Collections.Concurrent;
using Tempora.Core;
using Tempora.Core.Metrics;

namespace Tempora.Matching;

/// <summary>
/// In-memory task queues. A task offered while a poller waits is handed over directly (sync match); otherwise it
/// waits in the queue's backlog, whose durable copy is the task row written with the transition that created it.
/// </summary>
public sealed class MatchingEngine(TimeProvider time, IMetrics? metrics = null) : ITaskDispatcher
{
    private readonly ConcurrentDictionary<TaskQueueKey, TaskQueuePartition> _queues = new();

    private TaskQueuePartition Queue(TaskQueueKey key) => _queues.GetOrAdd(key, k => new TaskQueuePartition(k, time, metrics ?? NullMetrics.Instance));

    public void Dispatch(MatchingTask task) => Queue(task.Queue).Offer(task);

    public bool HasRecentPoller(TaskQueueKey queue, TimeSpan within) =>
        _queues.TryGetValue(queue, out var q) && q.HasRecentPoller(within);

    public void Withdraw(Predicate<MatchingTask> match)
    {
        foreach (var queue in _queues.Values)
        {
            queue.Withdraw(match);
        }
    }

    /// <summary>
    /// Waits up to <paramref name="maxWait"/> for a task; null when none came (an empty poll). With
    /// <paramref name="maxTasksPerSecond"/> the poller sets the queue's dispatch rate, and a task is handed out only
    /// within it (<see cref="DispatchRateLimit"/>).
    /// </summary>
    public async Task<MatchingTask?> PollAsync(TaskQueueKey queue, Poller poller, TimeSpan maxWait, CancellationToken ct,
        double? maxTasksPerSecond = null)
    {
        var partition = Queue(queue);
        if (maxTasksPerSecond is { } rate)
        {
            partition.RateLimit.Set(rate);
        }
        var deadline = time.GetUtcNow() + maxWait;
        var task = await partition.PollAsync(poller, maxWait, ct);
        if (task is null || task.Query is not null)
        {
            return task;
        }
        var dispatched = false;
        try
        {
            dispatched = await partition.RateLimit.WaitAsync(deadline - time.GetUtcNow(), ct);
            return dispatched ? task : null;
        }
        finally
        {
            if (!dispatched)
            {
                partition.Requeue(task); // over the rate until the poll ended: the next poll gets it
            }
        }
    }

    /// <summary>Pollers seen on the queue recently, for DescribeTaskQueue.</summary>
    public IReadOnlyList<PollerRecord> Pollers(TaskQueueKey queue) =>
        _queues.TryGetValue(queue, out var q) ? q.Pollers() : [];

    /// <summary>Backlog size, for DescribeTaskQueue.</summary>
    public int BacklogCount(TaskQueueKey queue) => _queues.TryGetValue(queue, out var q) ? q.BacklogCount : 0;

    /// <summary>Forgets a sticky queue whose worker shut down; returns the tasks that were waiting on it.</summary>
    public IReadOnlyList<MatchingTask> UnloadQueue(TaskQueueKey queue) =>
        _queues.TryRemove(queue, out var q) ? q.Drain() : [];
}

/// <summary>
/// Who polls: the worker's identity, and for the metric labels the namespace's name (the queue key holds its id) and
/// whether the queue is a worker's sticky queue.
/// </summary>
public readonly record struct Poller(string Identity, string NamespaceName, bool Sticky);

/// <summary>A poller last seen on a queue.</summary>
public sealed record PollerRecord(string Identity, DateTimeOffset LastAccessTime);
