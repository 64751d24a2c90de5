using Tempora.Core;
using Tempora.Core.Metrics;

namespace Tempora.Matching;

/// <summary>One task queue: a FIFO backlog and a FIFO of waiting pollers; at most one of them is non-empty.</summary>
internal sealed class TaskQueuePartition(TaskQueueKey key, TimeProvider time, IMetrics metrics)
{
    private static readonly TimeSpan PollerRetention = TimeSpan.FromMinutes(5);

    private readonly Lock _lock = new();
    private readonly LinkedList<MatchingTask> _backlog = new();
    private readonly LinkedList<TaskCompletionSource<MatchingTask?>> _waiting = new();
    private readonly Dictionary<string, DateTimeOffset> _pollers = new(StringComparer.Ordinal);
    private readonly string _taskType = key.Type.ToString(); // metric label: Workflow or Activity
    private string[]? _metricLabels; // namespace, taskqueue, task_type: built at the first poll, which knows the names

    public TaskQueueKey Key { get; } = key;

    /// <summary>How many tasks per second the queue may hand out, as its pollers ask.</summary>
    public DispatchRateLimit RateLimit { get; } = new();

    public int BacklogCount
    {
        get
        {
            lock (_lock)
            {
                return _backlog.Count;
            }
        }
    }

    public void Offer(MatchingTask task)
    {
        lock (_lock)
        {
            // Sync match: the oldest waiting poller gets the task without it touching the backlog. A poller that gave
            // up (cancelled) no longer accepts results, so try the next one.
            while (_waiting.First is { } node)
            {
                _waiting.RemoveFirst();
                if (node.Value.TrySetResult(task))
                {
                    return;
                }
            }
            _backlog.AddLast(task);
        }
    }

    public async Task<MatchingTask?> PollAsync(Poller poller, TimeSpan maxWait, CancellationToken ct)
    {
        var labels = MetricLabels(poller);
        var identity = poller.Identity;
        TaskCompletionSource<MatchingTask?> waiter;
        LinkedListNode<TaskCompletionSource<MatchingTask?>> node;
        lock (_lock)
        {
            _pollers[identity] = time.GetUtcNow();
            if (_backlog.First is { } first)
            {
                _backlog.RemoveFirst();
                CountPolled(first.Value, sync: false, labels);
                return first.Value;
            }
            waiter = new TaskCompletionSource<MatchingTask?>(TaskCreationOptions.RunContinuationsAsynchronously);
            node = _waiting.AddLast(waiter);
        }
        try
        {
            var matched = await waiter.Task.WaitAsync(maxWait, ct);
            if (matched is not null)
            {
                CountPolled(matched, sync: true, labels);
            }
            return matched;
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            lock (_lock)
            {
                if (node.List is not null)
                {
                    _waiting.Remove(node);
                }
                _pollers[identity] = time.GetUtcNow();
            }
            // A task matched just as the poll ended must not be lost: put it back at the head of the queue.
            if (!waiter.TrySetResult(null) && waiter.Task.Result is { } matched)
            {
                Requeue(matched);
            }
            if (e is OperationCanceledException)
            {
                throw;
            }
            metrics.Increment(MetricNames.PollTimeouts, labels);
            return null;
        }
    }

    private void CountPolled(MatchingTask task, bool sync, string[] labels)
    {
        metrics.Increment(MetricNames.PollSuccess, labels);
        if (sync)
        {
            metrics.Increment(MetricNames.PollSuccessSync, labels);
        }
        metrics.Record(MetricNames.TaskScheduleToStartLatency, time.GetUtcNow() - task.CreatedTime, labels);
    }

    /// <summary>The queue's metric labels, made once: every sticky queue is "__sticky__" (one per worker, unbounded).</summary>
    private string[] MetricLabels(Poller poller)
    {
        if (_metricLabels is { } labels && labels[0] == poller.NamespaceName)
        {
            return labels;
        }
        return _metricLabels = [poller.NamespaceName, poller.Sticky ? StickyQueueLabel : Key.Name, _taskType];
    }

    private const string StickyQueueLabel = "__sticky__";

    /// <summary>Puts a task back at the head of the queue (or straight to a waiting poller).</summary>
    public void Requeue(MatchingTask task)
    {
        lock (_lock)
        {
            while (_waiting.First is { } node)
            {
                _waiting.RemoveFirst();
                if (node.Value.TrySetResult(task))
                {
                    return;
                }
            }
            _backlog.AddFirst(task);
        }
    }

    public bool HasRecentPoller(TimeSpan within)
    {
        lock (_lock)
        {
            if (_waiting.Count > 0)
            {
                return true;
            }
            var since = time.GetUtcNow() - within;
            foreach (var seen in _pollers.Values)
            {
                if (seen >= since)
                {
                    return true;
                }
            }
            return false;
        }
    }

    public IReadOnlyList<PollerRecord> Pollers()
    {
        lock (_lock)
        {
            var since = time.GetUtcNow() - PollerRetention;
            var list = new List<PollerRecord>();
            foreach (var (identity, seen) in _pollers)
            {
                if (seen >= since)
                {
                    list.Add(new PollerRecord(identity, seen));
                }
            }
            return list;
        }
    }

    public void Withdraw(Predicate<MatchingTask> match)
    {
        lock (_lock)
        {
            for (var node = _backlog.First; node is not null;)
            {
                var next = node.Next;
                if (match(node.Value))
                {
                    _backlog.Remove(node);
                }
                node = next;
            }
        }
    }

    public IReadOnlyList<MatchingTask> Drain()
    {
        lock (_lock)
        {
            var tasks = _backlog.ToList();
            _backlog.Clear();
            _pollers.Clear();
            return tasks;
        }
    }
}
