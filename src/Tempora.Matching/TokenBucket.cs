namespace Tempora.Matching;

/// <summary>
/// A token bucket refilled by a timer of the injected clock: <paramref name="perPeriod"/> tokens every
/// <paramref name="period"/>, at most <paramref name="limit"/> held, full at first; waiters are served oldest first.
/// It does what TokenBucketRateLimiter with auto-replenishment did, but that one reads the Stopwatch, which a test's
/// fake clock cannot drive.
/// </summary>
internal sealed class TokenBucket : IDisposable
{
    private readonly Lock _lock = new();
    private readonly LinkedList<TaskCompletionSource<bool>> _waiting = new();
    private readonly TimeProvider _time;
    private readonly int _limit;
    private readonly int _perPeriod;
    private readonly ITimer _refill;
    private int _tokens;
    private bool _disposed;

    public TokenBucket(TimeProvider time, int limit, int perPeriod, TimeSpan period)
    {
        _time = time;
        _limit = limit;
        _perPeriod = perPeriod;
        _tokens = limit;
        _refill = time.CreateTimer(_ => Refill(), null, period, period);
    }

    /// <summary>
    /// Takes one token, waiting up to <paramref name="maxWait"/> behind the earlier waiters; false when the wait ended
    /// first or the bucket was replaced (disposed) meanwhile. A bucket disposed before the call lets it through.
    /// </summary>
    public async ValueTask<bool> TakeAsync(TimeSpan maxWait, CancellationToken ct)
    {
        TaskCompletionSource<bool> waiter;
        LinkedListNode<TaskCompletionSource<bool>> node;
        lock (_lock)
        {
            if (_disposed)
            {
                return true;
            }
            if (_waiting.Count == 0 && _tokens > 0)
            {
                _tokens--;
                return true;
            }
            if (maxWait <= TimeSpan.Zero)
            {
                return false;
            }
            waiter = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            node = _waiting.AddLast(waiter);
        }
        try
        {
            return await waiter.Task.WaitAsync(maxWait, _time, ct);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            lock (_lock)
            {
                if (node.List is null)
                {
                    return waiter.Task.Result; // served (or refused) just as the wait ended
                }
                _waiting.Remove(node);
            }
            if (e is OperationCanceledException)
            {
                throw;
            }
            return false;
        }
    }

    private void Refill()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }
            _tokens = Math.Min(_limit, _tokens + _perPeriod);
            while (_tokens > 0 && _waiting.First is { } first)
            {
                _waiting.RemoveFirst();
                _tokens--;
                first.Value.SetResult(true);
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            while (_waiting.First is { } first)
            {
                _waiting.RemoveFirst();
                first.Value.SetResult(false);
            }
        }
        _refill.Dispose();
    }
}
