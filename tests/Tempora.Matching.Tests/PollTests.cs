using Tempora.Core.Metrics;

namespace Tempora.Matching.Tests;

public sealed class PollTests
{
    [Fact]
    public async Task PollAsync_NoTask_WaitsUntilItsDeadlineThenReturnsNothing()
    {
        using var f = new MatchingFixture();
        var queue = MatchingFixture.Queue();
        var poll = f.PollAsync(queue, TimeSpan.FromSeconds(60));

        f.Clock.Advance(TimeSpan.FromSeconds(59));
        await Pending.AssertStillWaitingAsync(poll, "a poll with a second left");
        f.Clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Null(await poll.Within("the empty poll at its deadline"));
        Assert.True(f.Metrics.Has(MetricNames.PollTimeouts, "ns", "tq", "Activity"));
    }

    [Fact]
    public async Task PollAsync_TaskOfferedWhileWaiting_IsMatchedToThePoller()
    {
        using var f = new MatchingFixture();
        var queue = MatchingFixture.Queue();
        var poll = f.PollAsync(queue, TimeSpan.FromSeconds(60));
        f.Clock.Advance(TimeSpan.FromSeconds(30));

        var task = f.Task(queue);
        f.Matching.Dispatch(task);

        Assert.Same(task, await poll.Within("the sync match"));
        Assert.Equal(0, f.Matching.BacklogCount(queue));
        Assert.True(f.Metrics.Has(MetricNames.PollSuccessSync, "ns", "tq", "Activity"));
    }

    [Fact]
    public async Task PollAsync_TasksInBacklog_HandedOutOldestFirstWithoutWaiting()
    {
        using var f = new MatchingFixture();
        var queue = MatchingFixture.Queue();
        var first = f.Task(queue);
        var second = f.Task(queue);
        f.Matching.Dispatch(first);
        f.Matching.Dispatch(second);

        Assert.Same(first, await f.PollAsync(queue, TimeSpan.FromSeconds(60)).Within("the first backlog poll"));
        Assert.Same(second, await f.PollAsync(queue, TimeSpan.FromSeconds(60)).Within("the second backlog poll"));
    }

    [Fact]
    public async Task Pollers_LastAccessTimes_KeptForFiveMinutes()
    {
        using var f = new MatchingFixture();
        var queue = MatchingFixture.Queue();
        var start = f.Clock.GetUtcNow();
        var emptyPoll = f.PollAsync(queue, TimeSpan.FromSeconds(1), identity: "a");
        f.Clock.Advance(TimeSpan.FromSeconds(1));
        await emptyPoll.Within("the empty poll of a");
        f.Clock.Advance(TimeSpan.FromSeconds(9));
        f.Matching.Dispatch(f.Task(queue));
        await f.PollAsync(queue, TimeSpan.FromSeconds(1), identity: "b").Within("the poll of b");

        // a was last seen when its poll ended, b when it took the task.
        Assert.Equal([("a", start.AddSeconds(1)), ("b", start.AddSeconds(10))],
            f.Matching.Pollers(queue).Select(p => (p.Identity, p.LastAccessTime)).Order());
        Assert.True(f.Matching.HasRecentPoller(queue, TimeSpan.FromSeconds(1)));

        f.Clock.SetUtcNow(start + TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(2));
        Assert.Equal(["b"], f.Matching.Pollers(queue).Select(p => p.Identity));
        Assert.False(f.Matching.HasRecentPoller(queue, TimeSpan.FromMinutes(1)));
    }
}
