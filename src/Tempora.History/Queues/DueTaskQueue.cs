using Tempora.Persistence;

namespace Tempora.History.Queues;

/// <summary>
/// Durable task rows handed to a handler once they are due, at most <see cref="MaxConcurrentTasks"/> at a time. A row
/// whose handling fails is offered again <see cref="RetryDelay"/> later, so every row is done eventually (and after a
/// restart, when it is loaded again). The timer queue and the transfer queue are this with their own due time: a
/// timer's fire time, a transfer task at once. Time is read and waited on through the injected clock only.
/// </summary>
internal sealed class DueTaskQueue<TTask>(TimeProvider time, Func<TTask, long> idOf, Action<Exception, TTask> logFailure) : IAsyncDisposable
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private const int MaxConcurrentTasks = 32;

    /// <summary>Tasks by due time, then id.</summary>
    private readonly PriorityQueue<TTask, (DateTimeOffset DueAt, long Id)> _queue = new();

    /// <summary>Ids of the durable tasks queued now: a shard's rows are loaded while the shard already takes new ones,
    /// so a row committed in between is offered twice and must be queued once. Volatile tasks (id 0) are not rows.</summary>
    private readonly HashSet<long> _queued = [];

    /// <summary>Ids of the durable tasks being handled now: a row offered again meanwhile (a shard's load racing its
    /// handling) is not queued a second time — the handling deletes the row, or its failure queues the retry.</summary>
    private readonly HashSet<long> _running = [];
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly SemaphoreSlim _concurrency = new(MaxConcurrentTasks);
    private readonly CancellationTokenSource _stop = new();
    private Func<TTask, CancellationToken, Task>? _handler;
    private Task? _loop;

    /// <summary>Called after due tasks were taken from the queue (the timer queue's pager reads more then).</summary>
    public Action? Taken { get; set; }

    /// <summary>How many durable tasks are queued now (not counting those being handled).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _queued.Count;
            }
        }
    }

    public void Start(Func<TTask, CancellationToken, Task> handler)
    {
        _handler = handler;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>
    /// Queues tasks. The loop is woken only when one of them is due before everything queued so far: otherwise it
    /// already sleeps until an earlier task and looks at the queue again then (most timers, a workflow task's or an
    /// activity's timeout, are due after the ones already queued, and a wake-up for each cost a thread-pool hop).
    /// </summary>
    public void Add(IEnumerable<TTask> tasks, Func<TTask, DateTimeOffset> dueAt) => Add(tasks, dueAt, retried: false);

    /// <param name="retried">The tasks are ones whose handling just failed: they stop counting as running in the same
    /// step as they are queued again, so that no offer in between can queue a second copy.</param>
    private void Add(IEnumerable<TTask> tasks, Func<TTask, DateTimeOffset> dueAt, bool retried)
    {
        var earliest = false;
        lock (_lock)
        {
            var head = _queue.TryPeek(out _, out var first) ? first : ((DateTimeOffset, long)?)null;
            foreach (var task in tasks)
            {
                var id = idOf(task);
                if (retried)
                {
                    _running.Remove(id);
                }
                if (id > 0 && (_running.Contains(id) || !_queued.Add(id)))
                {
                    continue;
                }
                var priority = (dueAt(task), id);
                _queue.Enqueue(task, priority);
                earliest |= head is not { } h || priority.CompareTo(h) < 0;
            }
        }
        if (earliest)
        {
            _wake.Release();
        }
    }

    /// <summary>
    /// Forgets durable tasks whose rows a commit deleted (a workflow task's or an activity's timeout once it is done),
    /// so that they are not handed to the handler when they come due: each would cost a look at its run for nothing.
    /// Their entries stay in the heap until then and are skipped; an id not queued is ignored.
    /// </summary>
    public void Forget(IReadOnlyCollection<long> ids)
    {
        lock (_lock)
        {
            foreach (var id in ids)
            {
                _queued.Remove(id);
            }
        }
    }

    /// <summary>
    /// Drops the queued tasks that match (their shard moved to another process, which loads them itself), and wakes
    /// the loop so that it sleeps until the first task left rather than until one that is gone.
    /// </summary>
    public void RemoveWhere(Func<TTask, bool> match)
    {
        var removed = false;
        lock (_lock)
        {
            var keep = new List<(TTask, (DateTimeOffset, long))>();
            while (_queue.TryDequeue(out var task, out var priority))
            {
                if (!match(task))
                {
                    keep.Add((task, priority));
                }
                else
                {
                    _queued.Remove(priority.Id);
                    removed = true;
                }
            }
            _queue.EnqueueRange(keep);
        }
        if (removed)
        {
            _wake.Release();
        }
    }

    private async Task RunAsync()
    {
        var ct = _stop.Token;
        while (!ct.IsCancellationRequested)
        {
            TimeSpan wait;
            DateTimeOffset measuredAt;
            List<TTask> due = [];
            lock (_lock)
            {
                var now = measuredAt = time.GetUtcNow();
                while (_queue.TryPeek(out _, out var next) && next.DueAt <= now)
                {
                    var task = _queue.Dequeue();
                    // A durable task no longer in the set was forgotten (its row deleted) while it waited here.
                    if (next.Id == 0 || _queued.Remove(next.Id))
                    {
                        due.Add(task);
                        if (next.Id > 0)
                        {
                            _running.Add(next.Id);
                        }
                    }
                }
                // Forgotten tasks at the head are dropped now instead of waited for: each would wake the loop for
                // nothing (after a load, every answered workflow task's timeout did, for the timeout's 10 s).
                while (_queue.TryPeek(out _, out var head) && head.Id != 0 && !_queued.Contains(head.Id))
                {
                    _queue.Dequeue();
                }
                wait = _queue.TryPeek(out _, out var first) ? first.DueAt - now : Timeout.InfiniteTimeSpan;
            }
            foreach (var task in due)
            {
                await _concurrency.WaitAsync(ct);
                _ = ProcessAsync(task, ct);
            }
            if (due.Count > 0)
            {
                Taken?.Invoke();
                continue;
            }
            try
            {
                await WaitForWakeAsync(UntilNextCheck(wait), measuredAt, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Waits for an <see cref="Add"/> or for <paramref name="timeout"/> (measured from <paramref name="measuredAt"/>)
    /// on the injected clock, so that a test's fake clock decides when a task is due (SemaphoreSlim's own timeout would
    /// run on the system clock).</summary>
    private async Task WaitForWakeAsync(TimeSpan timeout, DateTimeOffset measuredAt, CancellationToken ct)
    {
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            await _wake.WaitAsync(ct);
            return;
        }
        if (timeout <= TimeSpan.Zero)
        {
            _wake.Wait(0, ct); // due already: take a pending wake-up, if any, and look again
            return;
        }
        using var expiry = new CancellationTokenSource(timeout, time);
        if (ClockArming.Jumped(time, measuredAt))
        {
            return; // the expiry was armed from a later time than the timeout was measured from: look again
        }
        using var either = CancellationTokenSource.CreateLinkedTokenSource(ct, expiry.Token);
        try
        {
            await _wake.WaitAsync(either.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // the next task is due: look again
        }
    }

    /// <summary>How long the loop sleeps before it looks again: until the next task is due, at most an hour (the
    /// clock may jump), and without end when nothing is queued (an Add wakes it). The infinite wait must stay
    /// infinite: clamping it like a negative one to zero made an idle server spin a whole core.</summary>
    private static TimeSpan UntilNextCheck(TimeSpan untilNextTask) => untilNextTask switch
    {
        _ when untilNextTask == Timeout.InfiniteTimeSpan => Timeout.InfiniteTimeSpan,
        _ when untilNextTask > TimeSpan.FromHours(1) => TimeSpan.FromHours(1),
        _ when untilNextTask < TimeSpan.Zero => TimeSpan.Zero,
        _ => untilNextTask,
    };

    private async Task ProcessAsync(TTask task, CancellationToken ct)
    {
        try
        {
            await _handler!(task, ct);
        }
        catch (ShardOwnershipLostException)
        {
            // The shard moved to another process, which loaded this task with it: nothing to retry here.
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            logFailure(e, task);
            var retryAt = time.GetUtcNow() + RetryDelay;
            Add([task], _ => retryAt, retried: true);
        }
        catch (OperationCanceledException)
        {
            // shutting down; the row stays and is handled after the next start
        }
        finally
        {
            Finished(task);
            _concurrency.Release();
        }
    }

    private void Finished(TTask task)
    {
        lock (_lock)
        {
            _running.Remove(idOf(task));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            try
            {
                await _loop;
            }
            catch (OperationCanceledException)
            {
            }
        }
    }
}
