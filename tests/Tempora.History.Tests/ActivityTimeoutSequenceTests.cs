using Tempora.History.Execution;
using Temporalio.Api.Enums.V1;

namespace Tempora.History.Tests;

public class ActivityTimeoutSequenceTests
{
    private static readonly DateTimeOffset Scheduled = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public void FirstDue_NotStartedWithEqualScheduleTimeouts_ScheduleToStartFirst()
    {
        var a = new ActivityInfo
        {
            ScheduledTime = Scheduled,
            CurrentAttemptScheduledTime = Scheduled,
            TaskId = 7,
            ScheduleToCloseTimeout = Second,
            ScheduleToStartTimeout = Second,
            StartToCloseTimeout = Second,
        };
        Assert.Equal(TimeoutType.ScheduleToStart, ActivityTimeoutSequence.FirstDue(a, Scheduled + Second, TimeoutType.ScheduleToClose));
        Assert.Null(ActivityTimeoutSequence.FirstDue(a, Scheduled + Second - TimeSpan.FromTicks(1), null));
    }

    [Fact]
    public void FirstDue_StartedLaterWithEqualDeadlines_StartToCloseFirst()
    {
        var a = new ActivityInfo
        {
            ScheduledTime = Scheduled,
            StartedTime = Scheduled + Second,
            ScheduleToCloseTimeout = 2 * Second,
            StartToCloseTimeout = Second,
        };
        Assert.Equal(TimeoutType.StartToClose, ActivityTimeoutSequence.FirstDue(a, Scheduled + 2 * Second, TimeoutType.ScheduleToClose));
    }

    [Fact]
    public void FirstDue_EagerStartWithEqualDeadlines_ScheduleToCloseFirst()
    {
        var a = new ActivityInfo
        {
            ScheduledTime = Scheduled,
            StartedTime = Scheduled,
            ScheduleToCloseTimeout = Second,
            StartToCloseTimeout = Second,
        };
        Assert.Equal(TimeoutType.ScheduleToClose, ActivityTimeoutSequence.FirstDue(a, Scheduled + Second, TimeoutType.StartToClose));
    }

    [Fact]
    public void FirstDue_WaitingForRetryBackoff_OnlyScheduleToClose()
    {
        var a = new ActivityInfo
        {
            ScheduledTime = Scheduled,
            CurrentAttemptScheduledTime = Scheduled,
            Attempt = 2,
            ScheduleToCloseTimeout = 3 * Second,
            ScheduleToStartTimeout = Second,
        };
        Assert.Null(ActivityTimeoutSequence.FirstDue(a, Scheduled + 2 * Second, null));
        Assert.Equal(TimeoutType.ScheduleToClose, ActivityTimeoutSequence.FirstDue(a, Scheduled + 3 * Second, null));
    }
}
