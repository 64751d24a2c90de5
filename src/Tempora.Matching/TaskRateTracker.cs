namespace Tempora.Matching;

/// <summary>
/// Tasks per second over the last half minute, as Temporal's matching computes tasks_add_rate and tasks_dispatch_rate
/// (service/matching/task_tracker.go): counts in 5-second buckets, a ring of seven (30 s plus the current one), and a
/// rate that divides what the ring holds by the time it covers, never more than the tracker's own age, so that a queue
/// just loaded does not report a tenth of its rate. Counting takes a lock held for a few instructions and allocates
/// nothing.
/// </summary>
internal sealed class TaskRateTracker
{
    private static readonly TimeSpan BucketSize = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(30);
    private const int BucketCount = 7; // Window / BucketSize + 1: the current bucket is only partly filled

    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly DateTimeOffset _startTime;
    private readonly int[] _buckets = new int[BucketCount];
    private DateTimeOffset _bucketStart;
    private int _current;

    public TaskRateTracker(TimeProvider time)
    {
        _time = time;
        _startTime = _bucketStart = time.GetUtcNow();
    }

    public void Increment()
    {
        lock (_lock)
        {
            Advance(_time.GetUtcNow());
            _buckets[_current]++;
        }
    }

    /// <summary>Tasks per second over the window (or the tracker's life, when shorter); 0 before any time passed.</summary>
    public float Rate()
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            Advance(now);
            var total = 0;
            foreach (var count in _buckets)
            {
                total += count;
            }
            var covered = Min(now - _bucketStart + Window, now - _startTime);
            return covered <= TimeSpan.Zero ? 0 : (float)(total / covered.TotalSeconds);
        }
    }

    /// <summary>Moves to the bucket <paramref name="now"/> falls in, emptying those it passes (at most all of them).</summary>
    private void Advance(DateTimeOffset now)
    {
        var elapsed = (now - _bucketStart).Ticks / BucketSize.Ticks;
        if (elapsed <= 0)
        {
            return;
        }
        for (var i = 0; i < Math.Min(elapsed, BucketCount); i++)
        {
            _current = (_current + 1) % BucketCount;
            _buckets[_current] = 0;
        }
        _bucketStart += TimeSpan.FromTicks(BucketSize.Ticks * elapsed);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
