namespace Tempora.Matching.Tests;

public sealed class DispatchRateLimitTests
{
    [Fact]
    public async Task PollAsync_OneTaskPerSecond_SecondTaskWaitsForTheNextToken()
    {
        using var f = new MatchingFixture();
        var queue = MatchingFixture.Queue();
        var tasks = Enumerable.Range(0, 3).Select(_ => f.Task(queue)).ToArray();
        foreach (var task in tasks)
        {
            f.Matching.Dispatch(task);
        }

        // A burst of one second's worth (one task), then one per second.
        Assert.Same(tasks[0], await f.PollAsync(queue, TimeSpan.FromSeconds(60), maxTasksPerSecond: 1).Within("the first poll"));
        var second = f.PollAsync(queue, TimeSpan.FromSeconds(60), maxTasksPerSecond: 1);
        f.Clock.Advance(TimeSpan.FromMilliseconds(999));
        await Pending.AssertStillWaitingAsync(second, "the second poll before its token");
        f.Clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Same(tasks[1], await second.Within("the second poll after a second"));

        // A poll whose deadline comes before the next token returns nothing and leaves its task for the next poll.
        var third = f.PollAsync(queue, TimeSpan.FromMilliseconds(500), maxTasksPerSecond: 1);
        f.Clock.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Null(await third.Within("the third poll at its deadline"));
        Assert.Equal(1, f.Matching.BacklogCount(queue));
        f.Clock.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Same(tasks[2], await f.PollAsync(queue, TimeSpan.FromSeconds(60), maxTasksPerSecond: 1).Within("the fourth poll"));
    }

    [Fact]
    public async Task PollAsync_RateAtOrAboveTheSdkDefault_NoLimit()
    {
        using var f = new MatchingFixture();
        var queue = MatchingFixture.Queue();
        var tasks = Enumerable.Range(0, 5).Select(_ => f.Task(queue)).ToArray();
        foreach (var task in tasks)
        {
            f.Matching.Dispatch(task);
        }

        foreach (var task in tasks)
        {
            Assert.Same(task, await f.PollAsync(queue, TimeSpan.Zero, maxTasksPerSecond: 100_000).Within("a poll without a limit"));
        }
    }
}
