namespace Tempora.History;

/// <summary>
/// How many bytes the cached runs hold, as estimated by <see cref="ExecutionContext.Resize"/>, against the budget of
/// <see cref="HistoryOptions.RunCacheMaxBytes"/>. The estimate is the serialized size of what a run keeps in memory
/// (its mutable state, the rebuilt copy the rebuild check carries, its cached history events): an input of 1.9 MB
/// counts once per copy, which is what made 400 open runs hold 1.3 GiB when the cache was bounded by count only.
/// </summary>
internal sealed class RunCacheBudget(long maxBytes)
{
    private long _used;
    private long _clock;

    public long MaxBytes { get; } = maxBytes;

    /// <summary>Estimated bytes of every cached run's state and history.</summary>
    public long UsedBytes => Interlocked.Read(ref _used);

    public bool IsExceeded => UsedBytes > MaxBytes;

    /// <summary>
    /// Where a trim stops: three quarters of the budget, so that a full cache is not trimmed again at every commit.
    /// </summary>
    public long TrimTarget => MaxBytes / 4 * 3;

    public void Add(long delta) => Interlocked.Add(ref _used, delta);

    /// <summary>A logical clock for "used longest ago" (cheaper and steadier than reading the time).</summary>
    public long Tick() => Interlocked.Increment(ref _clock);
}
