using Tempora.Core;
using Tempora.Core.Metrics;

namespace Tempora.Matching;

/// <summary>
/// One task queue: a FIFO backlog and a FIFO of waiting pollers; at most one of them is non-empty. Once unloaded
/// (<see cref="TryUnloadIfIdle"/>) it refuses every task and poll, and the engine retries them on a fresh instance.
/// </summary>
internal sealed class TaskQueuePartition(TaskQueueKey key, TimeProvider time, IMetrics metrics)
{
    private static readonly TimeSpan PollerRetention = TimeSpan.FromMinutes(5);

    private readonly Lock _lock = new();
    private readonly LinkedList<MatchingTask> _backlog = new();
    private readonly LinkedList<TaskCompletionSource<MatchingTask?>> _waiting = new();
    private readonly Dictionary<string, PollerRecord> _pollers = new(StringComparer.Ordinal);
    private readonly TaskRateTracker _added = new(time);
    private readonly TaskRateTracker _dispatched = new(time);
    private readonly string _taskType = key.Type.ToString(); // metric label: Workflow, Activity or Nexus
    private string[]? _metricLabels; // namespace, taskqueue, task_type: built at the first poll, which knows the names
    private DateTimeOffset _lastActive = time.GetUtcNow();
    private bool _unloaded;

    /// <summary>The metrics a queue reports with its own labels, dropped when it is unloaded.</summary>
    private static readonly MetricDefinition[] QueueMetrics =
        [MetricNames.PollSuccess, MetricNames.PollSuccessSync, MetricNames.PollTimeouts, MetricNames.TaskScheduleToStartLatency];

    public TaskQueueKey Key { get; } = key;

    /// <summary>How many tasks per second the queue may hand out, as its pollers ask.</summary>
    public DispatchRateLimit RateLimit { get; } = new(time);

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

    /// <summary>
    /// Hands the task to a waiting poller or queues it; false when the queue was unloaded (use a fresh one). A new task
    /// counts in the add rate; one restored from its row (a restart, a shard taken over) does not, as in Temporal,
    /// where only what history adds is counted, not what is read back from the database.
    /// </summary>
    public bool TryOffer(MatchingTask task, bool isNew = true)
    {
        lock (_lock)
        {
            if (_unloaded)
            {
                return false;
            }
            _lastActive = time.GetUtcNow();
            if (isNew)
            {
                _added.Increment();
            }
            // Sync match: the oldest waiting poller gets the task without it touching the backlog. A poller that gave
            // up (cancelled) no longer accepts results, so try the next one.
            while (_waiting.First is { } node)
            {
                _waiting.RemoveFirst();
                if (node.Value.TrySetResult(task))
                {
                    return true;
                }
            }
            _backlog.AddLast(task);
            return true;
        }
    }

    /// <summary>
    /// Waits up to <paramref name="maxWait"/> for a task. <see cref="PollResult.Unloaded"/> when the queue was unloaded
    /// before the poll reached it (poll a fresh one); a task matched as the wait ended goes back through
    /// <paramref name="requeue"/>, which finds a fresh queue should this one be unloaded by then.
    /// </summary>
    public async Task<PollResult> PollAsync(Poller poller, TimeSpan maxWait, Action<MatchingTask> requeue, CancellationToken ct)
    {
        var identity = poller.Identity;
        TaskCompletionSource<MatchingTask?> waiter;
        LinkedListNode<TaskCompletionSource<MatchingTask?>> node;
        string[] labels;
        lock (_lock)
        {
            if (_unloaded)
            {
                return PollResult.Unloaded;
            }
            labels = MetricLabels(poller);
            _lastActive = time.GetUtcNow();
            _pollers[identity] = new PollerRecord(identity, _lastActive, poller.RatePerSecond);
            if (_backlog.First is { } first)
            {
                _backlog.RemoveFirst();
                CountPolled(first.Value, sync: false, labels);
                return new PollResult(first.Value);
            }
            waiter = new TaskCompletionSource<MatchingTask?>(TaskCreationOptions.RunContinuationsAsynchronously);
            node = _waiting.AddLast(waiter);
        }
        try
        {
            var matched = await waiter.Task.WaitAsync(maxWait, time, ct);
            if (matched is not null)
            {
                CountPolled(matched, sync: true, labels);
            }
            return new PollResult(matched);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            lock (_lock)
            {
                if (node.List is not null)
                {
                    _waiting.Remove(node);
                }
                _lastActive = time.GetUtcNow();
                _pollers[identity] = new PollerRecord(identity, _lastActive, poller.RatePerSecond);
            }
            // A task matched just as the poll ended must not be lost: put it back at the head of the queue.
            if (!waiter.TrySetResult(null) && waiter.Task.Result is { } matched)
            {
                requeue(matched);
            }
            if (e is OperationCanceledException)
            {
                throw;
            }
            metrics.Increment(MetricNames.PollTimeouts, labels);
            return new PollResult(null);
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

    /// <summary>Puts a task back at the head of the queue (or straight to a waiting poller); false when unloaded.</summary>
    public bool TryRequeue(MatchingTask task)
    {
        lock (_lock)
        {
            if (_unloaded)
            {
                return false;
            }
            _lastActive = time.GetUtcNow();
            while (_waiting.First is { } node)
            {
                _waiting.RemoveFirst();
                if (node.Value.TrySetResult(task))
                {
                    return true;
                }
            }
            _backlog.AddFirst(task);
            return true;
        }
    }

    /// <summary>
    /// Marks the queue unloaded when nobody waits on it, it holds no task and nothing happened for
    /// <paramref name="idleTime"/>; from then on it refuses tasks and polls. Drops its metric series (every sticky
    /// queue shares the "__sticky__" series, which stay). True when unloaded.
    /// </summary>
    public bool TryUnloadIfIdle(TimeSpan idleTime)
    {
        string[]? labels;
        lock (_lock)
        {
            if (_unloaded || _waiting.Count > 0 || _backlog.Count > 0 || time.GetUtcNow() - _lastActive < idleTime)
            {
                return false;
            }
            _unloaded = true;
            labels = _metricLabels;
        }
        if (labels is not null && labels[1] != StickyQueueLabel)
        {
            foreach (var metric in QueueMetrics)
            {
                metrics.Remove(metric, labels);
            }
        }
        return true;
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
                if (seen.LastAccessTime >= since)
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
            foreach (var seen in _pollers.Values)
            {
                if (seen.LastAccessTime >= since)
                {
                    list.Add(seen);
                }
            }
            return list;
        }
    }

    /// <summary>A task left the queue for a poller (counted once the poll keeps it, past the dispatch rate limit).</summary>
    public void CountDispatched() => _dispatched.Increment();

    /// <summary>What DescribeTaskQueue reports of the queue: its pollers, backlog, rates and dispatch limit.</summary>
    public TaskQueueSnapshot Snapshot()
    {
        var pollers = Pollers();
        int count;
        TimeSpan age;
        lock (_lock)
        {
            count = _backlog.Count;
            // The oldest task waiting, which is not always the head: a shard taken over brings older rows behind the
            // tasks queued since. A scan, but only when someone asks, never on the task path.
            var oldest = DateTimeOffset.MaxValue;
            foreach (var task in _backlog)
            {
                if (task.CreatedTime < oldest)
                {
                    oldest = task.CreatedTime;
                }
            }
            age = count == 0 ? TimeSpan.Zero : Max(TimeSpan.Zero, time.GetUtcNow() - oldest);
        }
        return new TaskQueueSnapshot(pollers, count, age, _added.Rate(), _dispatched.Rate(), RateLimit.TasksPerSecond);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>Takes the waiting tasks that match out of the backlog and answers them.</summary>
    public List<MatchingTask> Withdraw(Predicate<MatchingTask> match)
    {
        var taken = new List<MatchingTask>();
        lock (_lock)
        {
            for (var node = _backlog.First; node is not null;)
            {
                var next = node.Next;
                if (match(node.Value))
                {
                    _backlog.Remove(node);
                    taken.Add(node.Value);
                }
                node = next;
            }
        }
        return taken;
    }

    /// <summary>Unloads the queue at once (a sticky queue whose worker shut down) and returns its tasks.</summary>
    public IReadOnlyList<MatchingTask> Drain()
    {
        lock (_lock)
        {
            _unloaded = true; // a task offered from now on goes to a fresh instance, not to this drained one
            var tasks = _backlog.ToList();
            _backlog.Clear();
            _pollers.Clear();
            return tasks;
        }
    }
}

/// <summary>What a poll of one queue instance gave: a task, none (the wait ended), or <see cref="Unloaded"/>.</summary>
internal readonly record struct PollResult(MatchingTask? Task)
{
    /// <summary>The queue was unloaded before the poll reached it.</summary>
    public static PollResult Unloaded { get; } = new(null) { WasUnloaded = true };

    public bool WasUnloaded { get; private init; }
}
