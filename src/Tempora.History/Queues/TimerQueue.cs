using Microsoft.Extensions.Logging;
using Tempora.Core;
using Tempora.Persistence;

namespace Tempora.History.Queues;

/// <summary>Reads one page of a shard's timers (<see cref="IExecutionStore.LoadTimerPageAsync"/>).</summary>
public delegate Task<IReadOnlyList<TimerTaskRecord>> TimerPageReader(int shardId, TimerCursor after, DateTimeOffset before, int limit, CancellationToken ct);

/// <summary>
/// Fires durable timers. Memory holds only each owned shard's timers due within the lookahead (<see cref="TimerPaging"/>):
/// a shard's rows are read page by page in (fire time, task id) order, from its cursor, as time moves on, and a timer
/// committed past the cursor stays in the database until its page is read. A due timer is handed to history, whose
/// transition deletes the row. A timer whose handling fails is retried a second later, and a shard taken over (or
/// the process restarted) starts reading from its first row, so an overdue timer always fires eventually.
/// </summary>
public sealed partial class TimerQueue : IAsyncDisposable
{
    private static readonly TimeSpan ReadRetryDelay = TimeSpan.FromSeconds(1);

    private readonly TimeProvider _time;
    private readonly ILogger<TimerQueue> _logger;
    private readonly DueTaskQueue<TimerTaskRecord> _queue;
    private readonly Lock _lock = new();
    private readonly Dictionary<int, ShardTimers> _shards = [];
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _stop = new();
    private TimerPageReader? _readPage;
    private Func<WorkflowKey, int>? _shardOf;
    private TimerPaging _paging = TimerPaging.Default;
    private Task? _pager;

    public TimerQueue(TimeProvider time, ILogger<TimerQueue> logger)
    {
        _time = time;
        _logger = logger;
        _queue = new(time, t => t.TaskId, (e, t) => LogTimerFailed(logger, e, t.TaskId, t.Key.NamespaceId, t.Key.WorkflowId, t.Key.RunId));
        _queue.Taken = () => _wake.Release();
    }

    /// <summary>Starts firing. Without <see cref="StartPaging"/> every timer added is held (tests of the queue alone).</summary>
    public void Start(Func<TimerTaskRecord, CancellationToken, Task> handler, IEnumerable<TimerTaskRecord> existing)
    {
        Add(existing);
        _queue.Start(handler);
    }

    /// <summary>Holds only what is due within the lookahead of the shards taken with <see cref="AcquireAsync"/>.</summary>
    public void StartPaging(TimerPageReader readPage, Func<WorkflowKey, int> shardOf, TimerPaging paging)
    {
        _readPage = readPage;
        _shardOf = shardOf;
        _paging = paging;
        _pager = Task.Run(PageAsync);
    }

    /// <summary>Queues timers committed (or volatile, task id 0) to fire at their fire time. Those past their shard's
    /// cursor are left to the page read that reaches them.</summary>
    public void Add(IEnumerable<TimerTaskRecord> timers)
    {
        if (_shardOf is null)
        {
            _queue.Add(timers, t => t.FireTime);
            return;
        }
        List<TimerTaskRecord> held = [];
        lock (_lock)
        {
            foreach (var timer in timers)
            {
                // A shard not registered (yet) or being read keeps the timer: a duplicate of a row read is queued once.
                if (timer.TaskId == 0 || !_shards.TryGetValue(_shardOf(timer.Key), out var shard) || shard.Reading
                    || TimerCursor.Of(timer) <= shard.Loaded)
                {
                    held.Add(timer);
                }
            }
        }
        _queue.Add(held, t => t.FireTime);
    }

    /// <summary>Takes shards over: each starts from its first timer, so overdue ones are read (and fire) at once.</summary>
    public async Task AcquireAsync(IReadOnlyCollection<int> shards, CancellationToken ct)
    {
        foreach (var id in shards)
        {
            var shard = new ShardTimers { Reading = true };
            lock (_lock)
            {
                _shards[id] = shard;
            }
            await ReadPageAsync(id, shard, ct);
        }
        _wake.Release();
    }

    /// <summary>Lets shards go (another process reads them now): their cursors and queued timers are dropped.</summary>
    public void Release(IReadOnlyCollection<int> shards)
    {
        var set = shards.ToHashSet();
        lock (_lock)
        {
            foreach (var id in set)
            {
                _shards.Remove(id);
            }
        }
        if (_shardOf is { } shardOf)
        {
            _queue.RemoveWhere(t => set.Contains(shardOf(t.Key)));
        }
    }

    /// <summary>Forgets timers whose rows a commit deleted, so they do not fire from memory (<see cref="DueTaskQueue{TTask}.Forget"/>).</summary>
    public void Forget(IReadOnlyCollection<long> taskIds) => _queue.Forget(taskIds);

    /// <summary>Drops the queued timers that match (their namespace went away, say).</summary>
    public void RemoveWhere(Func<TimerTaskRecord, bool> match) => _queue.RemoveWhere(match);

    /// <summary>Durable timers held in memory now.</summary>
    public int Count => _queue.Count;

    /// <summary>Reads the next page of the shard that needs one first, or sleeps until one will.</summary>
    private async Task PageAsync()
    {
        var ct = _stop.Token;
        while (!ct.IsCancellationRequested)
        {
            var half = _paging.Lookahead / 2;
            var now = _time.GetUtcNow();
            (int Id, ShardTimers Shard)? next = null;
            var wait = Timeout.InfiniteTimeSpan;
            lock (_lock)
            {
                var full = _queue.Count >= _paging.PageSize;
                foreach (var (id, shard) in _shards)
                {
                    if (shard.Reading)
                    {
                        continue;
                    }
                    var readAt = shard.Loaded.FireTime - half;
                    if (readAt > now)
                    {
                        wait = wait == Timeout.InfiniteTimeSpan || readAt - now < wait ? readAt - now : wait;
                    }
                    else if (shard.Capped && full)
                    {
                        // Its page was full: the rest comes after what is held, read once the queue drains (Taken wakes).
                        wait = wait == Timeout.InfiniteTimeSpan || half < wait ? half : wait;
                    }
                    else if (next is null || shard.Loaded < next.Value.Shard.Loaded)
                    {
                        next = (id, shard);
                    }
                }
                if (next is { } chosen)
                {
                    chosen.Shard.Reading = true;
                }
            }
            try
            {
                if (next is { } page)
                {
                    await ReadPageAsync(page.Id, page.Shard, ct);
                }
                else
                {
                    await WaitAsync(wait, now, ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogPageFailed(_logger, e, next?.Id ?? 0);
                try
                {
                    await WaitAsync(ReadRetryDelay, _time.GetUtcNow(), ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Reads the page after the shard's cursor (the caller set <see cref="ShardTimers.Reading"/>) and queues it,
    /// unless the shard was let go meanwhile.</summary>
    private async Task ReadPageAsync(int id, ShardTimers shard, CancellationToken ct)
    {
        var before = _time.GetUtcNow() + _paging.Lookahead;
        IReadOnlyList<TimerTaskRecord> rows;
        try
        {
            rows = await _readPage!(id, shard.Loaded, before, _paging.PageSize, ct);
        }
        catch
        {
            lock (_lock)
            {
                shard.Reading = false;
            }
            throw;
        }
        lock (_lock)
        {
            shard.Reading = false;
            if (!_shards.TryGetValue(id, out var current) || current != shard)
            {
                return;
            }
            shard.Capped = rows.Count >= _paging.PageSize;
            // A full page ends at its last row; a short one read everything due before the bound.
            shard.Loaded = shard.Capped ? TimerCursor.Of(rows[^1]) : new TimerCursor(before, 0);
            _queue.Add(rows, t => t.FireTime);
        }
    }

    /// <summary>Waits for a wake-up or for <paramref name="timeout"/>, measured from <paramref name="measuredAt"/>, on the
    /// injected clock (a test's fake clock).</summary>
    private async Task WaitAsync(TimeSpan timeout, DateTimeOffset measuredAt, CancellationToken ct)
    {
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            await _wake.WaitAsync(ct);
            return;
        }
        using var expiry = new CancellationTokenSource(timeout > TimeSpan.FromHours(1) ? TimeSpan.FromHours(1) : timeout, _time);
        if (ClockArming.Jumped(_time, measuredAt))
        {
            return; // armed late by the jump (see ClockArming): look again
        }
        using var either = CancellationTokenSource.CreateLinkedTokenSource(ct, expiry.Token);
        try
        {
            await _wake.WaitAsync(either.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // time to look again
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync();
            if (_pager is not null)
            {
                try
                {
                    await _pager;
                }
                catch (OperationCanceledException)
                {
                }
            }
        }
        await _queue.DisposeAsync();
    }

    /// <summary>What of one shard's timers is in memory: every row up to <see cref="Loaded"/>, nothing after it.</summary>
    private sealed class ShardTimers
    {
        public TimerCursor Loaded { get; set; } = TimerCursor.Start;

        /// <summary>The last page was full, so rows before its read bound may still follow the cursor.</summary>
        public bool Capped { get; set; }

        /// <summary>A page read is under way: timers committed meanwhile are held, whatever the cursor says.</summary>
        public bool Reading { get; set; }
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Timer task {TaskId} of {WorkflowId}/{RunId} in namespace {NamespaceId} failed; retrying")]
    private static partial void LogTimerFailed(ILogger logger, Exception e, long taskId, string namespaceId, string workflowId, string runId);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Warning, Message = "Reading the timers of shard {ShardId} failed; retrying")]
    private static partial void LogPageFailed(ILogger logger, Exception e, int shardId);
}
