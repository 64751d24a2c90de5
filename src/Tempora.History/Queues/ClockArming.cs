namespace Tempora.History.Queues;

/// <summary>
/// A queue loop measures how long to sleep from the clock's time, then arms a relative timeout, which the clock arms
/// from its time at arming. If the clock jumped in between (a test's fake clock advanced by another thread), the
/// wake-up would come that much late, and a test waiting for it would wait forever; so the loop measures again
/// instead of sleeping. A real clock moves a few microseconds there, well inside the allowance.
/// </summary>
internal static class ClockArming
{
    private static readonly TimeSpan Allowance = TimeSpan.FromMilliseconds(100);

    /// <summary>Whether the clock moved on by more than the allowance since <paramref name="measuredAt"/>.</summary>
    public static bool Jumped(TimeProvider time, DateTimeOffset measuredAt) => time.GetUtcNow() - measuredAt > Allowance;
}
