using System.Collections.Concurrent;
using Tempora.Core;
using Tempora.Core.Metrics;
using Tempora.Core.Versioning;

namespace Tempora.Matching;

/// <summary>
/// In-memory task queues. A task offered while a poller waits is handed over directly (sync match); otherwise it
/// waits in the queue's backlog, whose durable copy is the task row written with the transition that created it.
/// Queues are made on first use and unloaded when idle (<see cref="MatchingOptions.TaskQueueIdleTime"/>), so that
/// made-up queue names do not hold memory and metric series for good.
/// </summary>
public sealed class MatchingEngine : ITaskDispatcher, IDisposable
{
    private readonly ConcurrentDictionary<TaskQueueKey, TaskQueuePartition> _queues = new();
    private readonly TimeProvider _time;
    private readonly IMetrics _metrics;
    private readonly TimeSpan _idleTime;
    private readonly ITimer _idleCheck;
    private readonly IDeploymentRouting? _routing;

    /// <summary>Counts <see cref="Retarget"/> calls: an offer that saw it move may have raced a routing change.</summary>
    private long _retargets;

    public MatchingEngine(TimeProvider time, IMetrics? metrics = null, MatchingOptions? options = null, IDeploymentRouting? routing = null)
    {
        _time = time;
        _routing = routing;
        _metrics = metrics ?? NullMetrics.Instance;
        _idleTime = (options ?? new MatchingOptions()).TaskQueueIdleTime;
        // Checked a few times per idle period, so that a queue goes at most a quarter of it late; at least every minute.
        var interval = TimeSpan.FromTicks(Math.Clamp(_idleTime.Ticks / 4, TimeSpan.FromMilliseconds(100).Ticks, TimeSpan.FromMinutes(1).Ticks));
        _idleCheck = time.CreateTimer(_ => UnloadIdleQueues(), null, interval, interval);
    }

    private TaskQueuePartition Queue(TaskQueueKey key) => _queues.GetOrAdd(key, k => new TaskQueuePartition(k, _time, _metrics));

    /// <summary>Runs <paramref name="use"/> on the queue, again on a fresh instance while it finds one just unloaded.</summary>
    private T OnLoadedQueue<T>(TaskQueueKey key, Func<TaskQueuePartition, (bool Done, T Result)> use)
    {
        while (true)
        {
            var queue = Queue(key);
            var (done, result) = use(queue);
            if (done)
            {
                return result;
            }
            // Unloaded between the lookup and the use: make sure it is gone from the map (the unloader may not have
            // removed it yet), then take a fresh one.
            _queues.TryRemove(new KeyValuePair<TaskQueueKey, TaskQueuePartition>(key, queue));
        }
    }

    public void Dispatch(MatchingTask task) => OfferRouted(task, (q, t) => q.TryOffer(t));

    /// <summary>Offers a task added before (read back from its row, or back from a poll that could not start it).</summary>
    public void Restore(MatchingTask task) => OfferRouted(task, (q, t) => q.TryOffer(t, isNew: false));

    /// <summary>Puts a task back at the head of its queue (a poll that could not hand it out).</summary>
    private void Requeue(MatchingTask task) => OfferRouted(task, (q, t) => q.TryRequeue(t));

    /// <summary>
    /// Offers the task to the queue its routing names. A routing change swaps the view, then <see cref="Retarget"/>
    /// scans the queues; an offer that read the old view and landed after the scan would stay in the old target. So an
    /// offer that saw a retarget begin meanwhile checks its task once more and moves it if it still waits there.
    /// </summary>
    private void OfferRouted(MatchingTask task, Func<TaskQueuePartition, MatchingTask, bool> offer)
    {
        var retargets = Interlocked.Read(ref _retargets);
        var key = PhysicalQueue(task);
        OnLoadedQueue(key, q => (offer(q, task), 0));
        if (Interlocked.Read(ref _retargets) != retargets && task.PinnedTo is null && !task.Sticky && PhysicalQueue(task) != key
            && _queues.TryGetValue(key, out var stale) && stale.Withdraw(t => ReferenceEquals(t, task)).Count > 0)
        {
            Restore(task);
        }
    }

    /// <summary>
    /// Which pollers a task is for. History names the task queue; worker versioning picks the version's queue in it:
    /// a pinned run's task goes to its version's pollers, any other task to the version the queue's routing sends its
    /// workflow id to (current or ramping; none: the unversioned pollers). A sticky queue is one worker's: as is.
    /// </summary>
    internal TaskQueueKey PhysicalQueue(MatchingTask task)
    {
        var queue = task.Queue;
        if (_routing is null || task.Sticky || queue.Version is not null)
        {
            return queue;
        }
        if (task.PinnedTo is { } pinned)
        {
            return queue.WithVersion(pinned);
        }
        return queue.WithVersion(_routing.For(queue.NamespaceId, queue.Name, queue.Type).TargetFor(task.WorkflowId));
    }

    /// <summary>
    /// Moves the waiting tasks whose target changed (the routing moved: a new current or ramping version) to the
    /// queue they now belong to. Pinned and sticky tasks stay where they are. Run on every routing change; a scan of
    /// the backlogs held here, which such a rare change can afford.
    /// </summary>
    public void Retarget()
    {
        Interlocked.Increment(ref _retargets);
        foreach (var (key, queue) in _queues)
        {
            foreach (var task in queue.Withdraw(task => task.PinnedTo is null && !task.Sticky && PhysicalQueue(task) != key))
            {
                Restore(task);
            }
        }
    }

    /// <summary>Unloads every queue idle for <see cref="MatchingOptions.TaskQueueIdleTime"/>.</summary>
    public void UnloadIdleQueues()
    {
        foreach (var (key, queue) in _queues)
        {
            if (queue.TryUnloadIfIdle(_idleTime))
            {
                _queues.TryRemove(new KeyValuePair<TaskQueueKey, TaskQueuePartition>(key, queue));
            }
        }
    }

    public void Dispose() => _idleCheck.Dispose();

    public bool HasRecentPoller(TaskQueueKey queue, TimeSpan within) =>
        _queues.TryGetValue(queue, out var q) && q.HasRecentPoller(within);

    /// <summary>
    /// Takes one task out of the queue it waits in, if no poller took it (a Nexus task whose dispatch ended): the queue
    /// its routing puts it in now, where a routing change would have moved it too.
    /// </summary>
    public void Withdraw(MatchingTask task)
    {
        if (_queues.TryGetValue(PhysicalQueue(task), out var q))
        {
            q.Withdraw(t => ReferenceEquals(t, task));
        }
    }

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
        var deadline = _time.GetUtcNow() + maxWait;
        TaskQueuePartition partition;
        PollResult polled;
        while (true)
        {
            partition = Queue(queue);
            if (maxTasksPerSecond is { } rate)
            {
                partition.RateLimit.Set(rate);
            }
            polled = await partition.PollAsync(poller, maxWait, Requeue, ct);
            if (!polled.WasUnloaded)
            {
                break;
            }
            _queues.TryRemove(new KeyValuePair<TaskQueueKey, TaskQueuePartition>(queue, partition));
        }
        var task = polled.Task;
        if (task is null)
        {
            return null;
        }
        if (task.InMemoryOnly)
        {
            // Queries and Nexus tasks are someone's synchronous call waiting: not held back by the dispatch rate.
            partition.CountDispatched();
            return task;
        }
        var dispatched = false;
        try
        {
            dispatched = await partition.RateLimit.WaitAsync(deadline - _time.GetUtcNow(), ct);
            if (dispatched)
            {
                partition.CountDispatched();
            }
            return dispatched ? task : null;
        }
        finally
        {
            if (!dispatched)
            {
                Requeue(task); // over the rate until the poll ended: the next poll gets it
            }
        }
    }

    /// <summary>Pollers seen on the queue recently, for DescribeTaskQueue.</summary>
    public IReadOnlyList<PollerRecord> Pollers(TaskQueueKey queue) =>
        _queues.TryGetValue(queue, out var q) ? q.Pollers() : [];

    /// <summary>The pollers of every version of the queue (the unversioned one too), as Temporal's legacy describe lists them.</summary>
    public IReadOnlyList<PollerRecord> PollersOfEveryVersion(TaskQueueKey queue) =>
        [.. _queues.Where(pair => pair.Key.WithVersion(null) == queue.WithVersion(null)).SelectMany(pair => pair.Value.Pollers())];

    /// <summary>The worker deployment versions of the queue loaded here (pollers or tasks seen lately).</summary>
    public IReadOnlyList<DeploymentVersion> LoadedVersions(TaskQueueKey queue) =>
        [.. _queues.Keys.Where(key => key.Version is not null && key.WithVersion(null) == queue.WithVersion(null)).Select(key => key.Version!)];

    /// <summary>Backlog size, for DescribeTaskQueue.</summary>
    public int BacklogCount(TaskQueueKey queue) => _queues.TryGetValue(queue, out var q) ? q.BacklogCount : 0;

    /// <summary>
    /// What DescribeTaskQueue reports of a queue. A queue not loaded (never used, or unloaded when idle) is empty, and
    /// describing it does not load it.
    /// </summary>
    public TaskQueueSnapshot Describe(TaskQueueKey queue) =>
        _queues.TryGetValue(queue, out var q) ? q.Snapshot() : TaskQueueSnapshot.Empty;

    /// <summary>Forgets a sticky queue whose worker shut down; returns the tasks that were waiting on it.</summary>
    public IReadOnlyList<MatchingTask> UnloadQueue(TaskQueueKey queue) =>
        _queues.TryRemove(queue, out var q) ? q.Drain() : [];
}

/// <summary>
/// Who polls: the worker's identity, for the metric labels the namespace's name (the queue key holds its id) and
/// whether the queue is a worker's sticky queue, and the dispatch rate it asks (what DescribeTaskQueue shows: an
/// activity poll's max_tasks_per_second, else Temporal's default of 100,000).
/// </summary>
public readonly record struct Poller(string Identity, string NamespaceName, bool Sticky, double RatePerSecond = Poller.DefaultRatePerSecond)
{
    public const double DefaultRatePerSecond = 100_000;
}

/// <summary>A poller last seen on a queue.</summary>
public readonly record struct PollerRecord(string Identity, DateTimeOffset LastAccessTime, double RatePerSecond);
