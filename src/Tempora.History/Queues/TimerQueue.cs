using Microsoft.Extensions.Logging;
using Tempora.Persistence;

namespace Tempora.History.Queues;

/// <summary>
/// Fires durable timers. Every timer row is loaded at start and new ones are added after their transaction commits;
/// a due timer is handed to history, whose transition deletes the row. A timer whose handling fails is retried a
/// second later, so an overdue timer always fires eventually (also after a restart).
/// </summary>
public sealed partial class TimerQueue(TimeProvider time, ILogger<TimerQueue> logger) : IAsyncDisposable
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private const int MaxConcurrentFires = 32;

    private readonly PriorityQueue<TimerTaskRecord, (DateTimeOffset, long)> _queue = new();

    /// <summary>Ids of the durable timers queued now: a shard's timers are loaded while the shard already takes new
    /// ones, so a timer committed in between is offered twice and must be queued once.</summary>
    private readonly HashSet<long> _queued = [];
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly SemaphoreSlim _concurrency = new(MaxConcurrentFires);
    private readonly CancellationTokenSource _stop = new();
    private Func<TimerTaskRecord, CancellationToken, Task>? _handler;
    private Task? _loop;

    public void Start(Func<TimerTaskRecord, CancellationToken, Task> handler, IEnumerable<TimerTaskRecord> existing)
    {
        _handler = handler;
        Add(existing);
        _loop = Task.Run(RunAsync);
    }

    public void Add(IEnumerable<TimerTaskRecord> timers)
    {
        var added = false;
        lock (_lock)
        {
            foreach (var t in timers)
            {
                if (t.TaskId > 0 && !_queued.Add(t.TaskId))
                {
                    continue;
                }
                _queue.Enqueue(t, (t.FireTime, t.TaskId));
                added = true;
            }
        }
        if (added)
        {
            _wake.Release();
        }
    }

    /// <summary>Drops the queued timers that match (their shard moved to another process, which loads them itself).</summary>
    public void RemoveWhere(Func<TimerTaskRecord, bool> match)
    {
        lock (_lock)
        {
            var keep = new List<(TimerTaskRecord, (DateTimeOffset, long))>();
            while (_queue.TryDequeue(out var timer, out var priority))
            {
                if (!match(timer))
                {
                    keep.Add((timer, priority));
                }
                else
                {
                    _queued.Remove(timer.TaskId);
                }
            }
            _queue.EnqueueRange(keep);
        }
    }

    private async Task RunAsync()
    {
        var ct = _stop.Token;
        while (!ct.IsCancellationRequested)
        {
            TimeSpan wait;
            List<TimerTaskRecord> due = [];
            lock (_lock)
            {
                var now = time.GetUtcNow();
                while (_queue.TryPeek(out var next, out var at) && at.Item1 <= now)
                {
                    due.Add(_queue.Dequeue());
                    _queued.Remove(next.TaskId);
                }
                wait = _queue.TryPeek(out _, out var first) ? first.Item1 - now : Timeout.InfiniteTimeSpan;
            }
            foreach (var timer in due)
            {
                await _concurrency.WaitAsync(ct);
                _ = FireAsync(timer, ct);
            }
            if (due.Count > 0)
            {
                continue;
            }
            try
            {
                await WaitForWakeAsync(UntilNextCheck(wait), ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Waits for an <see cref="Add"/> or for <paramref name="timeout"/> on the injected clock, so that a
    /// test's fake clock decides when a timer is due (SemaphoreSlim's own timeout would run on the system clock).</summary>
    private async Task WaitForWakeAsync(TimeSpan timeout, CancellationToken ct)
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
        using var either = CancellationTokenSource.CreateLinkedTokenSource(ct, expiry.Token);
        try
        {
            await _wake.WaitAsync(either.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // the next timer is due: look again
        }
    }

    /// <summary>How long the loop sleeps before it looks again: until the next timer is due, at most an hour (the
    /// clock may jump), and without end when no timer is queued (an Add wakes it). The infinite wait must stay
    /// infinite: clamping it like a negative one to zero made an idle server spin a whole core.</summary>
    internal static TimeSpan UntilNextCheck(TimeSpan untilNextTimer) => untilNextTimer switch
    {
        _ when untilNextTimer == Timeout.InfiniteTimeSpan => Timeout.InfiniteTimeSpan,
        _ when untilNextTimer > TimeSpan.FromHours(1) => TimeSpan.FromHours(1),
        _ when untilNextTimer < TimeSpan.Zero => TimeSpan.Zero,
        _ => untilNextTimer,
    };

    private async Task FireAsync(TimerTaskRecord timer, CancellationToken ct)
    {
        try
        {
            await _handler!(timer, ct);
        }
        catch (ShardOwnershipLostException)
        {
            // The shard moved to another process, which loaded this timer with it: nothing to retry here.
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            LogTimerFailed(logger, e, timer.TaskId, timer.Key.NamespaceId, timer.Key.WorkflowId, timer.Key.RunId);
            Add([timer with { FireTime = time.GetUtcNow() + RetryDelay }]);
        }
        catch (OperationCanceledException)
        {
            // shutting down; the row stays and fires after the next start
        }
        finally
        {
            _concurrency.Release();
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

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Timer task {TaskId} of {WorkflowId}/{RunId} in namespace {NamespaceId} failed; retrying")]
    private static partial void LogTimerFailed(ILogger logger, Exception e, long taskId, string namespaceId, string workflowId, string runId);
}
