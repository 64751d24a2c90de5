namespace Tempora.Matching;

/// <summary>Settings of the matching role.</summary>
public sealed record MatchingOptions
{
    /// <summary>Temporal's matching.maxTaskQueueIdleTime default.</summary>
    public static readonly TimeSpan DefaultTaskQueueIdleTime = TimeSpan.FromMinutes(5);

    /// <summary>
    /// A task queue with no poller waiting, no task in memory and nothing offered or polled for this long is unloaded:
    /// its in-memory structures and metric series go (Temporal's matching.maxTaskQueueIdleTime, 5 minutes). Nothing is
    /// lost: the in-memory backlog mirrors the durable one, so an empty queue has no task left, and the next task or
    /// poll loads the queue afresh.
    /// </summary>
    public TimeSpan TaskQueueIdleTime { get; init; } = DefaultTaskQueueIdleTime;
}
