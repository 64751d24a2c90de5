namespace Tempora.Matching;

/// <summary>
/// One task queue as this process holds it, for DescribeTaskQueue: its recent pollers, the backlog (count, and the age
/// of its oldest task), tasks added and dispatched per second over the last half minute, and the dispatch rate limit.
/// </summary>
public sealed record TaskQueueSnapshot(
    IReadOnlyList<PollerRecord> Pollers, int BacklogCount, TimeSpan BacklogAge, float TasksAddRate, float TasksDispatchRate,
    double RatePerSecond)
{
    public static TaskQueueSnapshot Empty { get; } = new([], 0, TimeSpan.Zero, 0, 0, Poller.DefaultRatePerSecond);
}
