namespace Tempora.Matching;

/// <summary>
/// The most tasks per second a task queue hands out: the workers' task_queue_metadata.max_tasks_per_second (the .NET
/// SDK's MaxTaskQueueActivitiesPerSecond). As in Temporal, the value of the latest poll that carries one applies to
/// the whole queue, and 100,000 or more means no limit (what SDKs send by default).
/// </summary>
internal sealed class DispatchRateLimit(TimeProvider time) : IDisposable
{
    private const double Unlimited = 100_000;

    private readonly Lock _lock = new();
    private double _rate = Unlimited;
    private TokenBucket? _limiter;

    /// <summary>The limit in force: what the pollers asked, or 100,000 (none) until one did.</summary>
    public double TasksPerSecond
    {
        get
        {
            lock (_lock)
            {
                return _rate;
            }
        }
    }

    public void Set(double tasksPerSecond)
    {
        if (tasksPerSecond <= 0 || double.IsNaN(tasksPerSecond))
        {
            return; // unset or nonsense: keep what the queue has
        }
        lock (_lock)
        {
            if (tasksPerSecond == _rate)
            {
                return;
            }
            _rate = tasksPerSecond;
            _limiter?.Dispose();
            _limiter = tasksPerSecond >= Unlimited ? null : NewLimiter(tasksPerSecond);
        }
    }

    /// <summary>Waits for the right to hand out one task; false when <paramref name="maxWait"/> passed first.</summary>
    public async ValueTask<bool> WaitAsync(TimeSpan maxWait, CancellationToken ct)
    {
        TokenBucket? limiter;
        lock (_lock)
        {
            limiter = _limiter;
        }
        // A limiter replaced (the rate changed) before this call lets the task out; one replaced while this waited
        // ends the wait without it.
        return limiter is null || await limiter.TakeAsync(maxWait, ct);
    }

    /// <summary>
    /// One task per period, at most one second's worth in a burst. Fast rates add tokens every 10 ms instead, so that
    /// the limiter's timer does not tick thousands of times a second.
    /// </summary>
    private TokenBucket NewLimiter(double tasksPerSecond)
    {
        var burst = (int)Math.Max(1, Math.Floor(tasksPerSecond));
        var (period, perPeriod) = tasksPerSecond <= 100
            ? (TimeSpan.FromSeconds(1 / tasksPerSecond), 1)
            : (TimeSpan.FromMilliseconds(10), (int)Math.Max(1, Math.Round(tasksPerSecond / 100)));
        return new TokenBucket(time, burst, perPeriod, period);
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _limiter?.Dispose();
            _limiter = null;
        }
    }
}
