namespace Tempora.History;

/// <summary>Settings of the history role.</summary>
public sealed record HistoryOptions
{
    /// <summary>The default <see cref="RunCacheMaxBytes"/>: 64 MiB (with the 10 000-entry bound, RSS stays flat however many runs are open).</summary>
    public const long DefaultRunCacheMaxBytes = 64L * 1024 * 1024;

    /// <summary>
    /// Before every commit, rebuild the run's mutable state from its stored history plus the events being written,
    /// and refuse the commit when it differs from the state being stored (<see cref="Execution.RebuildCheck"/>). Costs
    /// a history read per run loaded and a comparison per commit; the end-to-end tests turn it on.
    /// </summary>
    public bool VerifyRebuild { get; init; }

    /// <summary>
    /// Budget of the run cache, estimated from the serialized sizes of the cached runs' mutable state and history
    /// (<see cref="RunCacheBudget"/>). Past it, the states of the runs used longest ago are dropped (they reload from
    /// the store on next use). Temporal bounds its history cache by bytes too (history.hostLevelCacheMaxSizeBytes).
    /// </summary>
    public long RunCacheMaxBytes { get; init; } = DefaultRunCacheMaxBytes;

    /// <summary>
    /// Temporal's system.enableEagerWorkflowStart (off by default, as in Temporal 1.28): a start that asks for eager
    /// execution gets its run's first workflow task in the response, started in the start's own transaction.
    /// </summary>
    public bool EnableEagerWorkflowStart { get; init; }

    /// <summary>How far ahead, and how many rows at a time, the timer queue reads each shard's timers.</summary>
    public Queues.TimerPaging TimerPaging { get; init; } = Queues.TimerPaging.Default;

    /// <summary>Size limits on payloads, memo, user metadata and search attributes.</summary>
    public PayloadLimits Limits { get; init; } = new();
}
