using Google.Protobuf.WellKnownTypes;
using Tempora.Core;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History.Tests.Engine;

/// <summary>Activity timeouts and retries fire on the engine's clock, at the times the activity's options say.</summary>
public sealed class ActivityTimeoutTests
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(1);

    [Fact]
    public async Task StartToCloseTimeout_WithRetryPolicy_RetriesAfterEachBackoffThenTimesOut()
    {
        await using var h = await EngineHarness.StartAsync();
        var t0 = h.Start;
        await h.StartWorkflowAsync();
        await h.CompleteWorkflowTaskAsync(await h.PollWorkflowTaskAsync("the first workflow task"),
            EngineHarness.ScheduleActivity("a", a =>
            {
                a.StartToCloseTimeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(5));
                a.RetryPolicy = new RetryPolicy
                {
                    InitialInterval = Duration.FromTimeSpan(TimeSpan.FromSeconds(2)),
                    BackoffCoefficient = 2,
                    MaximumInterval = Duration.FromTimeSpan(TimeSpan.FromSeconds(100)),
                    MaximumAttempts = 3,
                };
            }));
        Assert.Equal(1, (await h.PollActivityTaskAsync("attempt 1")).Attempt);

        // Attempt 1 times out at 5 s; attempt 2 waits out the 2 s backoff.
        await h.Clock.ArmedAsync(t0.AddSeconds(5));
        h.Clock.AdvanceTo(t0.AddSeconds(5));
        await h.Clock.ArmedAsync(t0.AddSeconds(7));
        h.Clock.AdvanceTo(t0.AddSeconds(7) - Tick);
        await h.Clock.ArmedAsync(t0.AddSeconds(7));
        Assert.False(h.HasTask(TaskKind.Activity), "attempt 2 dispatched before its backoff ended");
        h.Clock.AdvanceTo(t0.AddSeconds(7));
        var attempt2 = await h.PollActivityTaskAsync("attempt 2 after its backoff");
        Assert.Equal(2, attempt2.Attempt);
        Assert.Equal(t0.AddSeconds(7), attempt2.CurrentAttemptScheduledTime.ToDateTimeOffset());

        // Attempt 2 times out at 12 s; the backoff doubles to 4 s.
        await h.Clock.ArmedAsync(t0.AddSeconds(12));
        h.Clock.AdvanceTo(t0.AddSeconds(12));
        await h.Clock.ArmedAsync(t0.AddSeconds(16));
        Assert.False(h.HasTask(TaskKind.Activity), "attempt 3 dispatched before its backoff ended");
        h.Clock.AdvanceTo(t0.AddSeconds(16));
        Assert.Equal(3, (await h.PollActivityTaskAsync("attempt 3 after its backoff")).Attempt);

        // The last attempt times out at 21 s: the activity times out and the workflow hears of it.
        await h.Clock.ArmedAsync(t0.AddSeconds(21));
        h.Clock.AdvanceTo(t0.AddSeconds(21));
        var timedOut = TimedOut(await h.PollWorkflowTaskAsync("the workflow task after the activity timed out"));
        Assert.Equal(TimeoutType.StartToClose, timedOut.Failure.TimeoutFailureInfo.TimeoutType);
        Assert.Equal(RetryState.MaximumAttemptsReached, timedOut.RetryState);
    }

    [Fact]
    public async Task ScheduleToStartTimeout_NoWorkerPolls_TimesOutAtTheTimeout()
    {
        await using var h = await EngineHarness.StartAsync();
        var t0 = h.Start;
        await h.StartWorkflowAsync();
        await h.CompleteWorkflowTaskAsync(await h.PollWorkflowTaskAsync("the first workflow task"),
            EngineHarness.ScheduleActivity("a", a =>
            {
                a.ScheduleToStartTimeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(3));
                a.StartToCloseTimeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(5));
                a.RetryPolicy = new RetryPolicy { MaximumAttempts = 1 };
            }));

        await h.Clock.ArmedAsync(t0.AddSeconds(3));
        h.Clock.AdvanceTo(t0.AddSeconds(3) - Tick);
        await h.Clock.ArmedAsync(t0.AddSeconds(3));
        Assert.False(h.HasTask(TaskKind.Workflow), "the activity timed out early");
        h.Clock.AdvanceTo(t0.AddSeconds(3));

        var timedOut = TimedOut(await h.PollWorkflowTaskAsync("the workflow task after the schedule-to-start timeout"));
        Assert.Equal(TimeoutType.ScheduleToStart, timedOut.Failure.TimeoutFailureInfo.TimeoutType);
    }

    [Fact]
    public async Task HeartbeatTimeout_HeartbeatsStop_TimesOutAHeartbeatTimeoutAfterTheLastOne()
    {
        await using var h = await EngineHarness.StartAsync();
        var t0 = h.Start;
        await h.StartWorkflowAsync();
        await h.CompleteWorkflowTaskAsync(await h.PollWorkflowTaskAsync("the first workflow task"),
            EngineHarness.ScheduleActivity("a", a =>
            {
                a.StartToCloseTimeout = Duration.FromTimeSpan(TimeSpan.FromMinutes(5));
                a.HeartbeatTimeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(10));
                a.RetryPolicy = new RetryPolicy { MaximumAttempts = 1 };
            }));
        var activity = await h.PollActivityTaskAsync("the activity");
        await h.Clock.ArmedAsync(t0.AddSeconds(10));

        // A heartbeat at 5 s moves the deadline to 15 s: the timer at 10 s re-arms for it.
        h.Clock.AdvanceTo(t0.AddSeconds(5));
        await h.History.RecordActivityTaskHeartbeatAsync(
            new RecordActivityTaskHeartbeatRequest { TaskToken = activity.TaskToken, Identity = "worker" }, CancellationToken.None);
        h.Clock.AdvanceTo(t0.AddSeconds(10));
        await h.Clock.ArmedAsync(t0.AddSeconds(15));
        Assert.False(h.HasTask(TaskKind.Workflow), "timed out although it heartbeat");

        h.Clock.AdvanceTo(t0.AddSeconds(15));
        var timedOut = TimedOut(await h.PollWorkflowTaskAsync("the workflow task after the heartbeat timeout"));
        Assert.Equal(TimeoutType.Heartbeat, timedOut.Failure.TimeoutFailureInfo.TimeoutType);
    }

    private static Temporalio.Api.History.V1.ActivityTaskTimedOutEventAttributes TimedOut(PollWorkflowTaskQueueResponse task) =>
        Assert.Single(task.History.Events, e => e.EventType == EventType.ActivityTaskTimedOut).ActivityTaskTimedOutEventAttributes;
}
