using Tempora.Core.Metrics;

namespace Tempora.Matching.Tests;

/// <summary>Idle task queues are unloaded after <see cref="MatchingOptions.TaskQueueIdleTime"/> (checked every quarter of it).</summary>
public sealed class IdleUnloadTests
{
    [Fact]
    public async Task UnloadIdleQueues_IdleForTheIdleTime_QueueAndItsSeriesGo()
    {
        using var f = new MatchingFixture(idleTime: TimeSpan.FromMinutes(2)); // checked every 30 s
        var queue = MatchingFixture.Queue();
        var poll = f.PollAsync(queue, TimeSpan.FromSeconds(1));
        f.Clock.Advance(TimeSpan.FromSeconds(1));
        await poll.Within("the empty poll");

        // Last active at 1 s; the check at 120 s finds it idle for 119 s only.
        f.Clock.Advance(TimeSpan.FromSeconds(119));
        Assert.Single(f.Matching.Pollers(queue));
        Assert.True(f.Metrics.Has(MetricNames.PollTimeouts, "ns", "tq", "Activity"));

        // The check at 150 s unloads it: its pollers (kept five minutes otherwise) and metric series go with it.
        f.Clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Empty(f.Matching.Pollers(queue));
        Assert.False(f.Metrics.Has(MetricNames.PollTimeouts, "ns", "tq", "Activity"));
    }

    [Fact]
    public async Task UnloadIdleQueues_PollerWaitingLongerThanTheIdleTime_GetsTheTaskOfferedLater()
    {
        using var f = new MatchingFixture(idleTime: TimeSpan.FromSeconds(2));
        var queue = MatchingFixture.Queue(kind: Core.TaskKind.Workflow);
        var poll = f.PollAsync(queue, TimeSpan.FromSeconds(30));

        // Past the idle time and many checks: a queue with a waiting poller is not idle.
        f.Clock.Advance(TimeSpan.FromSeconds(10));
        var task = f.Task(queue);
        f.Matching.Dispatch(task);

        Assert.Same(task, await poll.Within("the waiting poll"));
    }

    [Fact]
    public async Task UnloadIdleQueues_QueueWithBacklog_IsKept()
    {
        using var f = new MatchingFixture(idleTime: TimeSpan.FromSeconds(2));
        var queue = MatchingFixture.Queue();
        var task = f.Task(queue);
        f.Matching.Dispatch(task);

        f.Clock.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(1, f.Matching.BacklogCount(queue));
        Assert.Same(task, await f.PollAsync(queue, TimeSpan.Zero).Within("the poll of the kept backlog"));
    }

    [Fact]
    public async Task Dispatch_AfterTheQueueWasUnloaded_TaskReachesTheNextPoll()
    {
        using var f = new MatchingFixture(idleTime: TimeSpan.FromSeconds(2));
        var queue = MatchingFixture.Queue(kind: Core.TaskKind.Workflow);
        var poll = f.PollAsync(queue, TimeSpan.FromSeconds(1));
        f.Clock.Advance(TimeSpan.FromSeconds(1));
        await poll.Within("the empty poll");
        f.Clock.Advance(TimeSpan.FromSeconds(3));
        Assert.Empty(f.Matching.Pollers(queue)); // unloaded

        var task = f.Task(queue);
        f.Matching.Dispatch(task);

        Assert.Same(task, await f.PollAsync(queue, TimeSpan.FromSeconds(20)).Within("the poll of the fresh queue"));
    }
}
