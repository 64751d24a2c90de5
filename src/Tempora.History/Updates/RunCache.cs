using System.Collections.Concurrent;
using Tempora.Core;
using Temporalio.Api.History.V1;

namespace Tempora.History.Updates;

/// <summary>
/// The in-memory contexts of the runs this process served lately (docs/architecture.md, "One request, one transition,
/// one transaction"): bounded in entries, in closed runs kept, and in bytes (<see cref="RunCacheBudget"/>).
/// </summary>
internal sealed class RunCache(long maxBytes)
{
    /// <summary>
    /// Bound on cached runs; past it, idle entries are dropped (they reload from the database). The bytes they hold
    /// are bounded by <see cref="HistoryOptions.RunCacheMaxBytes"/>; this bounds the entries themselves (a run whose
    /// state was trimmed keeps a small context).
    /// </summary>
    private const int MaxCachedExecutions = 10_000;

    /// <summary>Closed runs kept cached (oldest close evicted first): the callers waiting on a result read it right after the close.</summary>
    private const int MaxCachedClosedRuns = 1_024;

    private readonly RunCacheBudget _budget = new(maxBytes);
    private readonly ConcurrentQueue<(WorkflowKey Key, ExecutionContext Context)> _closedCached = new();
    private readonly ConcurrentDictionary<WorkflowKey, ExecutionContext> _cache = new();
    private int _trimming;

    /// <summary>Every cached run with its context (the shard listener drops what it holds for shards that left).</summary>
    public ConcurrentDictionary<WorkflowKey, ExecutionContext> Entries => _cache;

    /// <summary>The run's context if cached; nothing is created.</summary>
    public bool TryGet(WorkflowKey key, out ExecutionContext ctx) => _cache.TryGetValue(key, out ctx!);

    /// <summary>The run's context, created when missing; marks it used now.</summary>
    public ExecutionContext Context(WorkflowKey key)
    {
        if (_cache.TryGetValue(key, out var ctx))
        {
            ctx.LastUsed = _budget.Tick();
            return ctx;
        }
        if (_cache.Count >= MaxCachedExecutions)
        {
            foreach (var (k, candidate) in _cache)
            {
                if (candidate.Lock.CurrentCount == 1 && candidate.HoldsNothingVolatile && _cache.Count >= MaxCachedExecutions / 2)
                {
                    Evict(k, candidate);
                }
            }
        }
        ctx = _cache.GetOrAdd(key, _ => new ExecutionContext(_budget));
        ctx.LastUsed = _budget.Tick();
        return ctx;
    }

    /// <summary>Removes a run's context from the cache; what it held stops counting against the budget.</summary>
    public void Evict(WorkflowKey key, ExecutionContext ctx)
    {
        if (_cache.TryRemove(new KeyValuePair<WorkflowKey, ExecutionContext>(key, ctx)))
        {
            ctx.Detach();
        }
    }

    /// <summary>
    /// Keeps the cached runs within <see cref="HistoryOptions.RunCacheMaxBytes"/>: when over it, drops the state and
    /// history of the runs used longest ago until three quarters of the budget are used; they reload from the store
    /// on next use. The context itself stays, so callers waiting on it (long polls, admitted updates) are unaffected,
    /// and a run that is locked or holds what lives only in memory is skipped. One trim at a time.
    /// </summary>
    public void TrimToBudget()
    {
        if (!_budget.IsExceeded || Interlocked.Exchange(ref _trimming, 1) == 1)
        {
            return;
        }
        try
        {
            var candidates = new List<ExecutionContext>();
            foreach (var (_, ctx) in _cache)
            {
                if (ctx.CachedBytes > 0)
                {
                    candidates.Add(ctx);
                }
            }
            candidates.Sort((a, b) => a.LastUsed.CompareTo(b.LastUsed));
            foreach (var ctx in candidates)
            {
                if (_budget.UsedBytes <= _budget.TrimTarget)
                {
                    break;
                }
                if (!ctx.Lock.Wait(0))
                {
                    continue; // in use now: not idle
                }
                try
                {
                    if (ctx.HoldsNothingVolatile)
                    {
                        ctx.State = null;
                    }
                }
                finally
                {
                    ctx.Lock.Release();
                }
            }
        }
        finally
        {
            Volatile.Write(ref _trimming, 0);
        }
    }

    /// <summary>
    /// Records what a run holds in the cache: its state (serialized size <paramref name="stateBytes"/>), the copy the
    /// rebuild check carries, and its cached history.
    /// </summary>
    public static void Measure(ExecutionContext ctx, long stateBytes)
    {
        var bytes = stateBytes * (ctx.Rebuilt is null ? 1 : 2);
        if (ctx.History is { } events)
        {
            bytes += HistoryBytes(ctx, events);
        }
        ctx.Resize(bytes);
    }

    /// <summary>
    /// The size of a cached history. It only grows by appending (<see cref="CachedHistory.With"/>), so only the events
    /// added since the last measurement are measured: summing every event at each commit cost about 1 % of the
    /// server's CPU under load.
    /// </summary>
    private static long HistoryBytes(ExecutionContext ctx, HistoryEvent[] events)
    {
        var (from, bytes) = ctx.MeasuredHistory is var (measured, measuredBytes) && measured.Length <= events.Length
            && (measured.Length == 0 || ReferenceEquals(measured[^1], events[measured.Length - 1]))
                ? (measured.Length, measuredBytes)
                : (0, 0L);
        for (var i = from; i < events.Length; i++)
        {
            bytes += events[i].CalculateSize();
        }
        ctx.MeasuredHistory = (events, bytes);
        return bytes;
    }

    /// <summary>
    /// Unlocks. A closed run stays cached a while, since its result is read right after the close (the SDK's result
    /// long poll); beyond <see cref="MaxCachedClosedRuns"/> the runs closed longest ago leave the cache.
    /// </summary>
    public void Release(WorkflowKey key, ExecutionContext ctx)
    {
        ctx.Lock.Release();
        if (ctx.State is { IsOpen: false } && ctx.Updates.Count == 0 && ctx.Queries.Count == 0 && ctx.MarkClosedCached())
        {
            _closedCached.Enqueue((key, ctx));
            while (_closedCached.Count > MaxCachedClosedRuns && _closedCached.TryDequeue(out var oldest))
            {
                Evict(oldest.Key, oldest.Context);
            }
        }
    }
}
