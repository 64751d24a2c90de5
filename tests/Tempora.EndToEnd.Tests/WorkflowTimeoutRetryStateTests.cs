using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Worker;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// The retry state of a timed-out run. Temporal's run-timeout task asks the retry policy only while the execution
/// deadline lies ahead; at the execution deadline (and from the execution-timeout task) it reports TIMEOUT and starts
/// nothing, retry policy or not (service/history/timer_queue_active_task_executor.go executeWorkflowRunTimeoutTask,
/// executeWorkflowExecutionTimeoutTask).
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class WorkflowTimeoutRetryStateTests(ServerFixture fixture)
{
    private TemporalClient Client => fixture.Client;

    [Fact]
    public Task ExecutionTimeout_RetryPolicyWithOneAttempt_RetryStateTimeout() =>
        AssertTimedOutAsync(
            new WorkflowOptions { ExecutionTimeout = TimeSpan.FromSeconds(1), RetryPolicy = new RetryPolicy { MaximumAttempts = 1 } },
            RetryState.Timeout);

    [Fact]
    public Task ExecutionTimeout_NoRetryPolicy_RetryStateTimeout() =>
        AssertTimedOutAsync(new WorkflowOptions { ExecutionTimeout = TimeSpan.FromSeconds(1) }, RetryState.Timeout);

    [Fact]
    public Task RunTimeout_NoRetryPolicy_RetryStatePolicyNotSet() =>
        AssertTimedOutAsync(new WorkflowOptions { RunTimeout = TimeSpan.FromSeconds(1) }, RetryState.RetryPolicyNotSet);

    [Fact]
    public Task RunTimeoutBeforeExecutionTimeout_LastAttempt_RetryStateMaximumAttemptsReached() =>
        AssertTimedOutAsync(
            new WorkflowOptions
            {
                RunTimeout = TimeSpan.FromSeconds(1),
                ExecutionTimeout = TimeSpan.FromMinutes(5),
                RetryPolicy = new RetryPolicy { MaximumAttempts = 1 },
            },
            RetryState.MaximumAttemptsReached);

    private async Task AssertTimedOutAsync(WorkflowOptions options, RetryState expected)
    {
        var taskQueue = ServerFixture.NewTaskQueue("wf-timeout");
        var workflowId = ServerFixture.NewWorkflowId("wf-timeout");
        options.Id = workflowId;
        options.TaskQueue = taskQueue;
        using var worker = new TemporalWorker(Client, new TemporalWorkerOptions(taskQueue).AddWorkflow<WaitForeverWorkflow>());

        var handle = await worker.ExecuteAsync(async () =>
        {
            var h = await Client.StartWorkflowAsync((WaitForeverWorkflow wf) => wf.RunAsync(), options);
            var e = await Assert.ThrowsAsync<WorkflowFailedException>(() => h.GetResultAsync().WithTimeout("the run to time out"));
            Assert.IsType<TimeoutFailureException>(e.InnerException);
            return h;
        });

        var events = await Client.GetWorkflowHandle(workflowId, runId: handle.ResultRunId).EventsAsync();
        var timedOut = events[^1].WorkflowExecutionTimedOutEventAttributes;
        Assert.NotNull(timedOut);
        Assert.Equal(expected, timedOut.RetryState);
        Assert.Equal(string.Empty, timedOut.NewExecutionRunId);
    }
}
