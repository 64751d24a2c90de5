using Microsoft.Extensions.Time.Testing;

namespace Tempora.Matching.Tests;

/// <summary>What DescribeTaskQueue reports of a queue: backlog age and the add and dispatch rates, on a fake clock.</summary>
public sealed class TaskQueueStatsTests
{
    [Fact]
    public void Rate_TasksWithinTheFirstWindow_DividesByTheTrackersAge()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var tracker = new TaskRateTracker(clock);
        Assert.Equal(0, tracker.Rate()); // no time passed yet

        for (var i = 0; i < 20; i++)
        {
            tracker.Increment();
        }
        clock.Advance(TimeSpan.FromSeconds(10));

        // 20 tasks in the tracker's first 10 s: 2 per second, not 20 spread over the whole 30 s window.
        Assert.Equal(2, tracker.Rate(), 3);
    }

    [Fact]
    public void Rate_SteadyFlow_IsTasksPerSecondOverTheLastHalfMinute()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var tracker = new TaskRateTracker(clock);
        // Four tasks a second for two minutes.
        for (var second = 0; second < 120; second++)
        {
            for (var i = 0; i < 4; i++)
            {
                tracker.Increment();
            }
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        // Temporal's estimate: what the seven 5 s buckets hold over the 30 s window plus the current bucket's part.
        var rate = tracker.Rate();
        Assert.InRange(rate, 3.5f, 4.5f);
    }

    [Fact]
    public void Rate_QuietForLongerThanTheWindow_FallsToZero()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var tracker = new TaskRateTracker(clock);
        for (var i = 0; i < 100; i++)
        {
            tracker.Increment();
        }
        clock.Advance(TimeSpan.FromSeconds(20));
        Assert.True(tracker.Rate() > 0, "tasks 20 s ago are still in the window");

        clock.Advance(TimeSpan.FromSeconds(40));
        Assert.Equal(0, tracker.Rate());
    }

    [Fact]
    public async Task Describe_BacklogThenDrained_AgeOfOldestTaskAndBothRates()
    {
        using var f = new MatchingFixture();
        var queue = MatchingFixture.Queue();
        var first = f.Task(queue);
        f.Matching.Dispatch(first);
        f.Clock.Advance(TimeSpan.FromSeconds(4));
        f.Matching.Dispatch(f.Task(queue));
        f.Clock.Advance(TimeSpan.FromSeconds(6));

        var backlog = f.Matching.Describe(queue);
        Assert.Equal(2, backlog.BacklogCount);
        Assert.Equal(TimeSpan.FromSeconds(10), backlog.BacklogAge); // the first task waited 10 s
        Assert.Equal(0.2f, backlog.TasksAddRate, 3); // two tasks in the queue's first 10 s
        Assert.Equal(0, backlog.TasksDispatchRate);

        Assert.Same(first, await f.PollAsync(queue, TimeSpan.Zero).Within("the first poll"));
        Assert.Equal(TimeSpan.FromSeconds(6), f.Matching.Describe(queue).BacklogAge); // the second is the oldest now
        Assert.NotNull(await f.PollAsync(queue, TimeSpan.Zero).Within("the second poll"));

        var drained = f.Matching.Describe(queue);
        Assert.Equal(0, drained.BacklogCount);
        Assert.Equal(TimeSpan.Zero, drained.BacklogAge);
        Assert.Equal(0.2f, drained.TasksDispatchRate, 3);
        Assert.Equal(["worker"], drained.Pollers.Select(p => p.Identity));
    }

    [Fact]
    public void Describe_RestoredTask_IsBackloggedButNotCountedAsAdded()
    {
        using var f = new MatchingFixture();
        var queue = MatchingFixture.Queue();
        var old = f.Task(queue) with { CreatedTime = f.Clock.GetUtcNow() - TimeSpan.FromMinutes(3) };
        f.Matching.Dispatch(f.Task(queue));
        f.Matching.Restore(old); // read back from its row after a restart, behind a task added since
        f.Clock.Advance(TimeSpan.FromSeconds(1));

        var described = f.Matching.Describe(queue);
        Assert.Equal(2, described.BacklogCount);
        Assert.Equal(TimeSpan.FromMinutes(3) + TimeSpan.FromSeconds(1), described.BacklogAge); // the oldest, not the head
        Assert.Equal(1, described.TasksAddRate, 3); // only the new task, in the queue's first second
    }

    [Fact]
    public async Task Describe_Pollers_CarryTheirRateAndLastAccess()
    {
        using var f = new MatchingFixture();
        var queue = MatchingFixture.Queue();
        var polled = f.Matching.PollAsync(queue, MatchingFixture.Poller("limited") with { RatePerSecond = 5 }, TimeSpan.FromSeconds(60), CancellationToken.None);
        f.Clock.Advance(TimeSpan.FromSeconds(60));
        Assert.Null(await polled.Within("the poll's end"));

        var poller = Assert.Single(f.Matching.Describe(queue).Pollers);
        Assert.Equal("limited", poller.Identity);
        Assert.Equal(5, poller.RatePerSecond);
        Assert.Equal(f.Clock.GetUtcNow(), poller.LastAccessTime); // seen again when its poll ended
    }

    [Fact]
    public void Describe_UnknownQueue_IsEmptyAndNotLoaded()
    {
        using var f = new MatchingFixture();
        var described = f.Matching.Describe(MatchingFixture.Queue("never-used"));
        Assert.Same(TaskQueueSnapshot.Empty, described);
        Assert.Equal(Poller.DefaultRatePerSecond, described.RatePerSecond);
    }
}
