namespace Tempora.History.Nexus;

/// <summary>
/// How long a Nexus operation waits before its next start or cancel request after a retryable failure: Temporal's
/// defaults (component.nexusoperations.retryPolicy: 1 s, doubling, at most an hour, retried until the operation's
/// schedule-to-close timeout), without the jitter.
/// </summary>
internal static class NexusRetryPolicy
{
    public static readonly TimeSpan InitialInterval = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaximumInterval = TimeSpan.FromHours(1);

    /// <summary>The wait after failed attempt <paramref name="attempt"/> (1 for the first).</summary>
    public static TimeSpan Backoff(int attempt)
    {
        var factor = Math.Pow(2, Math.Min(Math.Max(attempt, 1) - 1, 30));
        return TimeSpan.FromTicks((long)Math.Min(InitialInterval.Ticks * factor, MaximumInterval.Ticks));
    }
}
