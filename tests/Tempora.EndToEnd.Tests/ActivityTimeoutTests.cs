using Temporalio.Activities;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Temporalio.Workflows;

namespace Tempora.EndToEnd.Tests;

[Collection(ServerCollection.Name)]
public sealed class ActivityTimeoutTests(ServerFixture fixture)
{
    [Fact]
    public Task ActivityTimeout_StartToCloseExceeded_FailsWithStartToCloseTimeout() =>
        AssertActivityTimeoutAsync(TimeoutActivityWorkflow.Kind.StartToClose, TimeoutType.StartToClose);

    [Fact]
    public Task ActivityTimeout_ScheduleToCloseExceeded_FailsWithScheduleToCloseTimeout() =>
        AssertActivityTimeoutAsync(TimeoutActivityWorkflow.Kind.ScheduleToClose, TimeoutType.ScheduleToClose);

    [Fact]
    public Task ActivityTimeout_NoWorkerPollsActivityQueue_FailsWithScheduleToStartTimeout() =>
        AssertActivityTimeoutAsync(TimeoutActivityWorkflow.Kind.ScheduleToStart, TimeoutType.ScheduleToStart);

    [Fact]
    public Task ActivityTimeout_HeartbeatsStop_FailsWithHeartbeatTimeout() =>
        AssertActivityTimeoutAsync(TimeoutActivityWorkflow.Kind.Heartbeat, TimeoutType.Heartbeat);

    private async Task AssertActivityTimeoutAsync(TimeoutActivityWorkflow.Kind kind, TimeoutType expected)
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        using var worker = new TemporalWorker(
            fixture.Client,
            new TemporalWorkerOptions(taskQueue)
                .AddWorkflow<TimeoutActivityWorkflow>()
                .AddAllActivities(new SlowActivities()));

        var ex = await worker.ExecuteAsync(() =>
            Assert.ThrowsAsync<WorkflowFailedException>(() =>
                fixture.Client.ExecuteWorkflowAsync(
                    (TimeoutActivityWorkflow wf) => wf.RunAsync(kind),
                    new(ServerFixture.NewWorkflowId(), taskQueue))).WithTimeout($"{kind} activity timeout to fail the workflow"));

        var activityFailure = Assert.IsType<ActivityFailureException>(ex.InnerException);
        var timeout = Assert.IsType<TimeoutFailureException>(activityFailure.InnerException);
        Assert.Equal(expected, timeout.TimeoutType);
    }
}

[Workflow]
public sealed class TimeoutActivityWorkflow
{
    public enum Kind
    {
        StartToClose,
        ScheduleToClose,
        ScheduleToStart,
        Heartbeat,
    }

    [WorkflowRun]
    public async Task RunAsync(Kind kind)
    {
        var oneSecond = TimeSpan.FromSeconds(1);
        var options = kind switch
        {
            Kind.StartToClose => new ActivityOptions
            {
                StartToCloseTimeout = oneSecond,
                RetryPolicy = new RetryPolicy { MaximumAttempts = 1 },
            },
            Kind.ScheduleToClose => new ActivityOptions
            {
                ScheduleToCloseTimeout = oneSecond,
                StartToCloseTimeout = TimeSpan.FromSeconds(10),
            },
            Kind.ScheduleToStart => new ActivityOptions
            {
                TaskQueue = "nobody-polls-" + Workflow.NewGuid().ToString("N"),
                ScheduleToStartTimeout = oneSecond,
                StartToCloseTimeout = TimeSpan.FromSeconds(10),
            },
            Kind.Heartbeat => new ActivityOptions
            {
                StartToCloseTimeout = TimeSpan.FromSeconds(10),
                HeartbeatTimeout = oneSecond,
                RetryPolicy = new RetryPolicy { MaximumAttempts = 1 },
            },
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

        if (kind == Kind.Heartbeat)
        {
            await Workflow.ExecuteActivityAsync((SlowActivities a) => a.HeartbeatOnceThenStallAsync(), options);
        }
        else
        {
            await Workflow.ExecuteActivityAsync((SlowActivities a) => a.SleepAsync(), options);
        }
    }
}

public sealed class SlowActivities
{
    /// <summary>Outlives every timeout under test; ends early when the worker cancels it.</summary>
    [Activity]
    public async Task SleepAsync() =>
        await Task.Delay(TimeSpan.FromSeconds(20), ActivityExecutionContext.Current.CancellationToken);

    /// <summary>Heartbeats once, then stops heartbeating.</summary>
    [Activity]
    public async Task HeartbeatOnceThenStallAsync()
    {
        var ctx = ActivityExecutionContext.Current;
        ctx.Heartbeat("alive");
        await Task.Delay(TimeSpan.FromSeconds(20), ctx.CancellationToken);
    }
}
