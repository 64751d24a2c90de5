using Temporalio.Activities;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Temporalio.Workflows;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// Which retry state ends retrying: Temporal asks whether the failure may be retried before it counts attempts
/// (service/history/workflow/retry.go getBackoffInterval, mutable_state_impl.go RetryActivity), so a non-retryable
/// failure on the last attempt reports NON_RETRYABLE_FAILURE, not MAXIMUM_ATTEMPTS_REACHED. The same check runs for every
/// activity timeout, so a schedule-to-start timeout (never retried) reports NON_RETRYABLE_FAILURE too.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class RetryStateOrderTests(ServerFixture fixture)
{
    private TemporalClient Client => fixture.Client;

    [Fact]
    public async Task ActivityFails_NonRetryableOnLastAttempt_RetryStateNonRetryableFailure()
    {
        var taskQueue = ServerFixture.NewTaskQueue("retry-order");
        using var worker = NewWorker(taskQueue);

        var ex = await worker.ExecuteAsync(() =>
            Assert.ThrowsAsync<WorkflowFailedException>(() =>
                Client.ExecuteWorkflowAsync(
                    (LastAttemptActivityWorkflow wf) => wf.RunAsync(),
                    new(ServerFixture.NewWorkflowId("retry-order"), taskQueue))).WithTimeout("activity failing on its last attempt"));

        var activityFailure = Assert.IsType<ActivityFailureException>(ex.InnerException);
        var appFailure = Assert.IsType<ApplicationFailureException>(activityFailure.InnerException);
        Assert.Equal("non-retryable on attempt 2", appFailure.Message);
        Assert.Equal(RetryState.NonRetryableFailure, activityFailure.RetryState);
    }

    [Fact]
    public async Task WorkflowFails_NonRetryableOnLastAttempt_RetryStateNonRetryableFailure()
    {
        var taskQueue = ServerFixture.NewTaskQueue("retry-order");
        var workflowId = ServerFixture.NewWorkflowId("retry-order");
        using var worker = NewWorker(taskQueue);
        var options = new WorkflowOptions(workflowId, taskQueue)
        {
            RetryPolicy = new RetryPolicy { InitialInterval = TimeSpan.FromMilliseconds(100), MaximumAttempts = 2 },
        };

        await worker.ExecuteAsync(async () =>
        {
            var handle = await Client.StartWorkflowAsync((NonRetryableOnLastAttemptWorkflow wf) => wf.RunAsync(), options);
            await Assert.ThrowsAsync<WorkflowFailedException>(() => handle.GetResultAsync().WithTimeout("second attempt to fail"));
        });

        var latest = Client.GetWorkflowHandle(workflowId);
        var failed = (await latest.EventsAsync())[^1].WorkflowExecutionFailedEventAttributes;
        Assert.NotNull(failed);
        Assert.Equal("non-retryable on attempt 2", failed.Failure.Message);
        Assert.Equal(RetryState.NonRetryableFailure, failed.RetryState);
    }

    [Fact]
    public async Task ActivityScheduleToStartTimeout_NeverRetried_RetryStateNonRetryableFailure()
    {
        var taskQueue = ServerFixture.NewTaskQueue("retry-order");
        using var worker = NewWorker(taskQueue);

        var ex = await worker.ExecuteAsync(() =>
            Assert.ThrowsAsync<WorkflowFailedException>(() =>
                Client.ExecuteWorkflowAsync(
                    (TimeoutActivityWorkflow wf) => wf.RunAsync(TimeoutActivityWorkflow.Kind.ScheduleToStart),
                    new(ServerFixture.NewWorkflowId("retry-order"), taskQueue))).WithTimeout("schedule-to-start timeout"));

        var activityFailure = Assert.IsType<ActivityFailureException>(ex.InnerException);
        var timeout = Assert.IsType<TimeoutFailureException>(activityFailure.InnerException);
        Assert.Equal(TimeoutType.ScheduleToStart, timeout.TimeoutType);
        Assert.Equal(RetryState.NonRetryableFailure, activityFailure.RetryState);
    }

    private TemporalWorker NewWorker(string taskQueue) => new(
        Client,
        new TemporalWorkerOptions(taskQueue)
            .AddWorkflow<LastAttemptActivityWorkflow>()
            .AddWorkflow<NonRetryableOnLastAttemptWorkflow>()
            .AddWorkflow<TimeoutActivityWorkflow>()
            .AddAllActivities(new LastAttemptActivities())
            .AddAllActivities(new SlowActivities()));
}

[Workflow]
public sealed class LastAttemptActivityWorkflow
{
    [WorkflowRun]
    public Task RunAsync() => Workflow.ExecuteActivityAsync(
        (LastAttemptActivities a) => a.FailAsync(),
        new ActivityOptions
        {
            StartToCloseTimeout = TimeSpan.FromSeconds(10),
            RetryPolicy = new RetryPolicy { InitialInterval = TimeSpan.FromMilliseconds(100), MaximumAttempts = 2 },
        });
}

public sealed class LastAttemptActivities
{
    /// <summary>Retryable on the first attempt, non-retryable on the second (the last one the policy allows).</summary>
    [Activity]
    public Task FailAsync()
    {
        var attempt = ActivityExecutionContext.Current.Info.Attempt;
        throw new ApplicationFailureException(
            attempt == 1 ? "retryable on attempt 1" : $"non-retryable on attempt {attempt}", nonRetryable: attempt > 1);
    }
}

[Workflow]
public sealed class NonRetryableOnLastAttemptWorkflow
{
    [WorkflowRun]
    public Task RunAsync()
    {
        var attempt = Workflow.Info.Attempt;
        throw new ApplicationFailureException(
            attempt == 1 ? "retryable on attempt 1" : $"non-retryable on attempt {attempt}", nonRetryable: attempt > 1);
    }
}
