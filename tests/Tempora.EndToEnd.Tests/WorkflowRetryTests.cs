using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Temporalio.Workflows;

namespace Tempora.EndToEnd.Tests;

[Collection(ServerCollection.Name)]
public sealed class WorkflowRetryTests(ServerFixture fixture)
{
    private TemporalClient Client => fixture.Client;

    [Fact]
    public async Task RetryPolicy_FailsTwiceThenSucceeds_ResultFromThirdAttempt()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var workflowId = ServerFixture.NewWorkflowId();
        using var worker = NewWorker(taskQueue);
        var options = new WorkflowOptions(workflowId, taskQueue)
        {
            RetryPolicy = new RetryPolicy { InitialInterval = TimeSpan.FromMilliseconds(200), MaximumAttempts = 3 },
        };

        var (handle, result) = await worker.ExecuteAsync(async () =>
        {
            var h = await Client.StartWorkflowAsync((SucceedOnThirdAttemptWorkflow wf) => wf.RunAsync(), options);
            return (h, await h.GetResultAsync().WithTimeout("workflow to succeed on its third attempt"));
        });

        Assert.Equal("attempt 3 after: attempt 2 fails", result);
        var firstRunId = handle.ResultRunId!;
        var first = Client.GetWorkflowHandle(workflowId, runId: firstRunId);
        Assert.Equal(WorkflowExecutionStatus.Failed, (await first.DescribeAsync()).Status);
        var firstFailed = (await first.EventsAsync())[^1].WorkflowExecutionFailedEventAttributes;
        Assert.NotNull(firstFailed);
        Assert.False(string.IsNullOrEmpty(firstFailed.NewExecutionRunId), "a retried run's close event should name the next run");
        Assert.Equal(RetryState.InProgress, firstFailed.RetryState);

        var second = (await Client.GetWorkflowHandle(workflowId, runId: firstFailed.NewExecutionRunId).EventsAsync())[0]
            .WorkflowExecutionStartedEventAttributes;
        Assert.Equal(ContinueAsNewInitiator.Retry, second.Initiator);
        Assert.Equal(2, second.Attempt);
        Assert.Equal(firstRunId, second.ContinuedExecutionRunId);
        Assert.Equal(firstRunId, second.FirstExecutionRunId);
        Assert.Equal("attempt 1 fails", second.ContinuedFailure?.Message);
        Assert.Equal(TimeSpan.FromMilliseconds(200), second.FirstWorkflowTaskBackoff?.ToTimeSpan());

        var latest = await Client.GetWorkflowHandle(workflowId).DescribeAsync();
        Assert.Equal(WorkflowExecutionStatus.Completed, latest.Status);
        var third = (await Client.GetWorkflowHandle(workflowId, runId: latest.RunId).EventsAsync())[0].WorkflowExecutionStartedEventAttributes;
        Assert.Equal(3, third.Attempt);
        Assert.Equal(firstRunId, third.FirstExecutionRunId);
        Assert.Equal(TimeSpan.FromMilliseconds(400), third.FirstWorkflowTaskBackoff?.ToTimeSpan());
    }

    [Fact]
    public async Task RetryPolicy_AlwaysFailsWithTwoAttempts_FailsWithLastAttemptFailure()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var workflowId = ServerFixture.NewWorkflowId();
        using var worker = NewWorker(taskQueue);
        var options = new WorkflowOptions(workflowId, taskQueue)
        {
            RetryPolicy = new RetryPolicy { InitialInterval = TimeSpan.FromMilliseconds(200), MaximumAttempts = 2 },
        };

        var (handle, ex) = await worker.ExecuteAsync(async () =>
        {
            var h = await Client.StartWorkflowAsync((AlwaysFailingRetriedWorkflow wf) => wf.RunAsync(), options);
            var e = await Assert.ThrowsAsync<WorkflowFailedException>(() => h.GetResultAsync().WithTimeout("workflow to exhaust its attempts"));
            return (h, e);
        });

        var failure = Assert.IsType<ApplicationFailureException>(ex.InnerException);
        Assert.Equal("attempt 2 fails", failure.Message);
        var latest = await Client.GetWorkflowHandle(workflowId).DescribeAsync();
        Assert.NotEqual(handle.ResultRunId, latest.RunId);
        Assert.Equal(WorkflowExecutionStatus.Failed, latest.Status);
        var lastFailed = (await Client.GetWorkflowHandle(workflowId, runId: latest.RunId).EventsAsync())[^1].WorkflowExecutionFailedEventAttributes;
        Assert.NotNull(lastFailed);
        Assert.Equal(string.Empty, lastFailed.NewExecutionRunId);
        Assert.Equal(RetryState.MaximumAttemptsReached, lastFailed.RetryState);
    }

    [Fact]
    public async Task RetryPolicy_NonRetryableFailure_FailsAfterFirstAttempt()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var workflowId = ServerFixture.NewWorkflowId();
        using var worker = NewWorker(taskQueue);
        var options = new WorkflowOptions(workflowId, taskQueue)
        {
            RetryPolicy = new RetryPolicy { InitialInterval = TimeSpan.FromMilliseconds(200), MaximumAttempts = 5 },
        };

        var (handle, ex) = await worker.ExecuteAsync(async () =>
        {
            var h = await Client.StartWorkflowAsync((NonRetryableFailingWorkflow wf) => wf.RunAsync(false), options);
            var e = await Assert.ThrowsAsync<WorkflowFailedException>(() => h.GetResultAsync().WithTimeout("non-retryable failure"));
            return (h, e);
        });

        var failure = Assert.IsType<ApplicationFailureException>(ex.InnerException);
        Assert.Equal("fatal on attempt 1", failure.Message);
        Assert.True(failure.NonRetryable, "failure should keep its non-retryable flag");
        var latest = await Client.GetWorkflowHandle(workflowId).DescribeAsync();
        Assert.Equal(handle.ResultRunId, latest.RunId);
        Assert.Equal(WorkflowExecutionStatus.Failed, latest.Status);
        var failed = (await handle.EventsAsync())[^1].WorkflowExecutionFailedEventAttributes;
        Assert.NotNull(failed);
        Assert.Equal(string.Empty, failed.NewExecutionRunId);
        Assert.Equal(RetryState.NonRetryableFailure, failed.RetryState);
    }

    [Fact]
    public async Task RetryPolicy_ErrorTypeListedNonRetryable_FailsAfterFirstAttempt()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var workflowId = ServerFixture.NewWorkflowId();
        using var worker = NewWorker(taskQueue);
        var options = new WorkflowOptions(workflowId, taskQueue)
        {
            RetryPolicy = new RetryPolicy
            {
                InitialInterval = TimeSpan.FromMilliseconds(200),
                MaximumAttempts = 5,
                NonRetryableErrorTypes = ["Fatal"],
            },
        };

        var (handle, ex) = await worker.ExecuteAsync(async () =>
        {
            var h = await Client.StartWorkflowAsync((NonRetryableFailingWorkflow wf) => wf.RunAsync(true), options);
            var e = await Assert.ThrowsAsync<WorkflowFailedException>(() => h.GetResultAsync().WithTimeout("failure of a non-retryable type"));
            return (h, e);
        });

        var failure = Assert.IsType<ApplicationFailureException>(ex.InnerException);
        Assert.Equal("Fatal", failure.ErrorType);
        Assert.Equal("fatal on attempt 1", failure.Message);
        Assert.Equal(handle.ResultRunId, (await Client.GetWorkflowHandle(workflowId).DescribeAsync()).RunId);
        Assert.Equal(RetryState.NonRetryableFailure, (await handle.EventsAsync())[^1].WorkflowExecutionFailedEventAttributes.RetryState);
    }

    [Fact]
    public async Task RetryPolicy_Absent_FailureIsNotRetried()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var workflowId = ServerFixture.NewWorkflowId();
        using var worker = NewWorker(taskQueue);

        var (handle, ex) = await worker.ExecuteAsync(async () =>
        {
            var h = await Client.StartWorkflowAsync((AlwaysFailingRetriedWorkflow wf) => wf.RunAsync(), new(workflowId, taskQueue));
            var e = await Assert.ThrowsAsync<WorkflowFailedException>(() => h.GetResultAsync().WithTimeout("failing workflow without retry policy"));
            return (h, e);
        });

        Assert.Equal("attempt 1 fails", Assert.IsType<ApplicationFailureException>(ex.InnerException).Message);
        var failed = (await handle.EventsAsync())[^1].WorkflowExecutionFailedEventAttributes;
        Assert.Equal(string.Empty, failed.NewExecutionRunId);
        Assert.Equal(RetryState.RetryPolicyNotSet, failed.RetryState);
    }

    private TemporalWorker NewWorker(string taskQueue) =>
        new(Client, new TemporalWorkerOptions(taskQueue)
            .AddWorkflow<SucceedOnThirdAttemptWorkflow>()
            .AddWorkflow<AlwaysFailingRetriedWorkflow>()
            .AddWorkflow<NonRetryableFailingWorkflow>());
}

/// <summary>Fails on attempts 1 and 2; on attempt 3 returns its attempt and the failure it continues from.</summary>
[Workflow]
public sealed class SucceedOnThirdAttemptWorkflow
{
    [WorkflowRun]
    public Task<string> RunAsync()
    {
        var attempt = Workflow.Info.Attempt;
        if (attempt < 3)
        {
            throw new ApplicationFailureException($"attempt {attempt} fails");
        }

        return Task.FromResult($"attempt {attempt} after: {Workflow.Info.LastFailure?.Message ?? "<none>"}");
    }
}

/// <summary>Fails on every attempt, naming the attempt.</summary>
[Workflow]
public sealed class AlwaysFailingRetriedWorkflow
{
    [WorkflowRun]
    public Task RunAsync() => throw new ApplicationFailureException($"attempt {Workflow.Info.Attempt} fails");
}

/// <summary>Fails with a non-retryable failure, or with error type "Fatal" when <c>byType</c>.</summary>
[Workflow]
public sealed class NonRetryableFailingWorkflow
{
    [WorkflowRun]
    public Task RunAsync(bool byType) => byType
        ? throw new ApplicationFailureException($"fatal on attempt {Workflow.Info.Attempt}", errorType: "Fatal")
        : throw new ApplicationFailureException($"fatal on attempt {Workflow.Info.Attempt}", nonRetryable: true);
}
