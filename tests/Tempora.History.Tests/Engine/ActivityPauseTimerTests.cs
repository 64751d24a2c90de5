using Google.Protobuf.WellKnownTypes;
using Tempora.Core;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Failure.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History.Tests.Engine;

/// <summary>A paused activity on the engine's clock: its timeouts do not fire, its failure schedules nothing, unpause does.</summary>
public sealed class ActivityPauseTimerTests
{
    [Fact]
    public async Task PausedRunningActivity_TimeoutPassesAndFailureRetriesNothing_UntilUnpaused()
    {
        await using var h = await EngineHarness.StartAsync();
        var t0 = h.Start;
        var run = await h.StartWorkflowAsync();
        await h.CompleteWorkflowTaskAsync(await h.PollWorkflowTaskAsync("the first workflow task"),
            EngineHarness.ScheduleActivity("a", a =>
            {
                a.StartToCloseTimeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(5));
                a.RetryPolicy = new RetryPolicy { InitialInterval = Duration.FromTimeSpan(TimeSpan.FromSeconds(1)) };
            }),
            EngineHarness.StartTimer("later", TimeSpan.FromSeconds(6))); // a timer after the timeout: the queue's next wake-up
        var attempt1 = await h.PollActivityTaskAsync("attempt 1");
        await h.History.PauseActivityAsync(h.Namespace, new PauseActivityRequest { Execution = run, Id = "a", Identity = "ops" }, CancellationToken.None);

        // The start-to-close timeout passes: a paused activity does not time out (it would retry or close otherwise).
        await h.Clock.ArmedAsync(t0.AddSeconds(5));
        h.Clock.AdvanceTo(t0.AddSeconds(5));
        await h.Clock.ArmedAsync(t0.AddSeconds(6));
        var pending = Assert.Single((await h.DescribeAsync(run)).PendingActivities);
        Assert.Equal(PendingActivityState.PauseRequested, pending.State);
        Assert.False(h.HasTask(TaskKind.Workflow), "the paused activity timed out");

        // The worker gives up (the SDK cancels it with reason paused): nothing is retried while paused.
        await h.History.RespondActivityTaskFailedAsync(TaskToken.Deserialize(attempt1.TaskToken.Span),
            new Failure { Message = "paused", ApplicationFailureInfo = new() }, null, "worker", CancellationToken.None);
        pending = Assert.Single((await h.DescribeAsync(run)).PendingActivities);
        Assert.Equal((PendingActivityState.Paused, 1, "paused"), (pending.State, pending.Attempt, pending.LastFailure.Message));
        Assert.False(h.HasTask(TaskKind.Activity), "a retry was dispatched while paused");

        await h.History.UnpauseActivityAsync(h.Namespace, new UnpauseActivityRequest { Execution = run, Id = "a" }, CancellationToken.None);
        var again = await h.PollActivityTaskAsync("the attempt after unpause");
        Assert.Equal(1, again.Attempt);
        Assert.Equal(h.Clock.GetUtcNow(), again.CurrentAttemptScheduledTime.ToDateTimeOffset());
    }

}
