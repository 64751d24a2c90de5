using Google.Protobuf.WellKnownTypes;
using Tempora.Core;
using Temporalio.Api.Enums.V1;

namespace Tempora.History.Tests.Engine;

/// <summary>Run and workflow task timeouts, and user timers, fire on the engine's clock.</summary>
public sealed class WorkflowTimeoutTests
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(1);

    [Fact]
    public async Task RunTimeout_NoWorkerEver_RunTimesOutAtTheTimeout()
    {
        await using var h = await EngineHarness.StartAsync();
        var t0 = h.Start;
        var run = await h.StartWorkflowAsync(r => r.WorkflowRunTimeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(30)));

        await h.Clock.ArmedAsync(t0.AddSeconds(30));
        h.Clock.AdvanceTo(t0.AddSeconds(30) - Tick);
        await h.Clock.ArmedAsync(t0.AddSeconds(30)); // not fired yet

        h.Clock.AdvanceTo(t0.AddSeconds(30));
        var closed = await h.CloseEventAsync(run);
        Assert.Equal(EventType.WorkflowExecutionTimedOut, closed.EventType);
        Assert.Equal(RetryState.RetryPolicyNotSet, closed.WorkflowExecutionTimedOutEventAttributes.RetryState);
        Assert.Equal(t0.AddSeconds(30), closed.EventTime.ToDateTimeOffset());
    }

    [Fact]
    public async Task WorkflowTaskTimeout_WorkerNeverAnswers_NextAttemptDispatchedAtTheTimeout()
    {
        await using var h = await EngineHarness.StartAsync();
        var t0 = h.Start;
        await h.StartWorkflowAsync(r => r.WorkflowTaskTimeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(10)));
        Assert.Equal(1, (await h.PollWorkflowTaskAsync("the first workflow task")).Attempt);

        await h.Clock.ArmedAsync(t0.AddSeconds(10));
        h.Clock.AdvanceTo(t0.AddSeconds(10) - Tick);
        await h.Clock.ArmedAsync(t0.AddSeconds(10));
        Assert.False(h.HasTask(TaskKind.Workflow), "the workflow task timed out early");
        h.Clock.AdvanceTo(t0.AddSeconds(10));

        var retried = await h.PollWorkflowTaskAsync("the second attempt");
        Assert.Equal(2, retried.Attempt);
        var timedOut = Assert.Single(retried.History.Events, e => e.EventType == EventType.WorkflowTaskTimedOut);
        Assert.Equal(TimeoutType.StartToClose, timedOut.WorkflowTaskTimedOutEventAttributes.TimeoutType);
    }

    [Fact]
    public async Task StartTimer_ThirtySeconds_FiresThenAndSchedulesAWorkflowTask()
    {
        await using var h = await EngineHarness.StartAsync();
        var t0 = h.Start;
        await h.StartWorkflowAsync();
        await h.CompleteWorkflowTaskAsync(await h.PollWorkflowTaskAsync("the first workflow task"),
            EngineHarness.StartTimer("nap", TimeSpan.FromSeconds(30)));

        await h.Clock.ArmedAsync(t0.AddSeconds(30));
        h.Clock.AdvanceTo(t0.AddSeconds(30) - Tick);
        await h.Clock.ArmedAsync(t0.AddSeconds(30));
        Assert.False(h.HasTask(TaskKind.Workflow), "the timer fired early");
        h.Clock.AdvanceTo(t0.AddSeconds(30));

        var task = await h.PollWorkflowTaskAsync("the workflow task after the timer");
        var fired = Assert.Single(task.History.Events, e => e.EventType == EventType.TimerFired);
        Assert.Equal("nap", fired.TimerFiredEventAttributes.TimerId);
        Assert.Equal(t0.AddSeconds(30), fired.EventTime.ToDateTimeOffset());
    }
}
