using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Temporalio.Workflows;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// Activity timeouts due at the same instant fire in Temporal's timer-sequence order: by time, then event id, then
/// timeout type (START_TO_CLOSE, SCHEDULE_TO_START, SCHEDULE_TO_CLOSE, HEARTBEAT), and a fired activity timer handles
/// every timeout of the activity that is due (service/history/workflow/timer_sequence.go,
/// timer_queue_active_task_executor.go executeActivityTimeoutTask).
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class SimultaneousTimeoutTests(ServerFixture fixture)
{
    [Fact]
    public async Task NeverPickedUp_ScheduleToStartEqualsScheduleToClose_TimesOutScheduleToStart()
    {
        var (activityFailure, timeout) = await RunAsync(SimultaneousTimeoutWorkflow.Kind.NeverPickedUp);

        Assert.Equal(TimeoutType.ScheduleToStart, timeout.TimeoutType);
        Assert.Equal(RetryState.NonRetryableFailure, activityFailure.RetryState);
    }

    [Fact]
    public async Task EagerlyStarted_StartToCloseEqualsScheduleToClose_TimesOutScheduleToClose()
    {
        // Temporal records an eager start a moment after the schedule (its clock moves between the two writes), so
        // the schedule-to-close deadline sorts first and ends the activity: not retryable, and no retry attempted.
        var (activityFailure, timeout) = await RunAsync(SimultaneousTimeoutWorkflow.Kind.EagerStarted);

        Assert.Equal(TimeoutType.ScheduleToClose, timeout.TimeoutType);
        Assert.Equal("activity ScheduleToClose timeout", timeout.Message);
        Assert.Equal(RetryState.NonRetryableFailure, activityFailure.RetryState);
    }

    private async Task<(ActivityFailureException Activity, TimeoutFailureException Timeout)> RunAsync(SimultaneousTimeoutWorkflow.Kind kind)
    {
        var taskQueue = ServerFixture.NewTaskQueue("same-instant");
        using var worker = new TemporalWorker(
            fixture.Client,
            new TemporalWorkerOptions(taskQueue).AddWorkflow<SimultaneousTimeoutWorkflow>().AddAllActivities(new SlowActivities()));

        var (handle, ex) = await worker.ExecuteAsync(async () =>
        {
            var h = await fixture.Client.StartWorkflowAsync((SimultaneousTimeoutWorkflow wf) => wf.RunAsync(kind),
                new(ServerFixture.NewWorkflowId("same-instant"), taskQueue));
            var e = await Assert.ThrowsAsync<WorkflowFailedException>(() => h.GetResultAsync().WithTimeout($"{kind} activity to time out"));
            return (h, e);
        });

        if (kind == SimultaneousTimeoutWorkflow.Kind.EagerStarted)
        {
            var started = Assert.Single(await handle.EventsAsync(), e => e.EventType == EventType.ActivityTaskStarted);
            Assert.Equal(fixture.Client.Connection.Options.Identity, started.ActivityTaskStartedEventAttributes.Identity);
        }
        var activityFailure = Assert.IsType<ActivityFailureException>(ex.InnerException);
        return (activityFailure, Assert.IsType<TimeoutFailureException>(activityFailure.InnerException));
    }
}

[Workflow]
public sealed class SimultaneousTimeoutWorkflow
{
    public enum Kind
    {
        NeverPickedUp,
        EagerStarted,
    }

    [WorkflowRun]
    public Task RunAsync(Kind kind) => Workflow.ExecuteActivityAsync(
        (SlowActivities a) => a.SleepAsync(),
        kind == Kind.NeverPickedUp
            ? new ActivityOptions
            {
                // Schedule-to-start left unset: Temporal sets it to schedule-to-close.
                TaskQueue = "nobody-polls-" + Workflow.NewGuid().ToString("N"),
                ScheduleToCloseTimeout = TimeSpan.FromSeconds(1),
            }
            : new ActivityOptions
            {
                // On the workflow's own queue, so the worker asks for it eagerly.
                ScheduleToCloseTimeout = TimeSpan.FromSeconds(1),
                StartToCloseTimeout = TimeSpan.FromSeconds(1),
            });
}
