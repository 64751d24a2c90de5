namespace Tempora.History;

/// <summary>Settings of the history role.</summary>
public sealed record HistoryOptions
{
    /// <summary>
    /// Before every commit, rebuild the run's mutable state from its stored history plus the events being written,
    /// and refuse the commit when it differs from the state being stored (<see cref="Execution.RebuildCheck"/>). Costs
    /// a history read per run loaded and a comparison per commit; the end-to-end tests turn it on.
    /// </summary>
    public bool VerifyRebuild { get; init; }

    /// <summary>Size limits on payloads, memo, user metadata and search attributes.</summary>
    public PayloadLimits Limits { get; init; } = new();
}
