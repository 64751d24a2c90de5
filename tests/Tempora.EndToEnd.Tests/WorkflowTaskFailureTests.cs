using System.Collections.Concurrent;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Worker;
using Temporalio.Workflows;

namespace Tempora.EndToEnd.Tests;

[Collection(ServerCollection.Name)]
public sealed class WorkflowTaskFailureTests(ServerFixture fixture)
{
    [Fact]
    public async Task WorkflowCode_ThrowsOnFirstRunOnly_TaskFailedThenRetriedToCompletion()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        using var worker = new TemporalWorker(fixture.Client, new TemporalWorkerOptions(taskQueue).AddWorkflow<ThrowOnceWorkflow>());

        var (handle, result) = await worker.ExecuteAsync(async () =>
        {
            var h = await fixture.Client.StartWorkflowAsync((ThrowOnceWorkflow wf) => wf.RunAsync(), new(ServerFixture.NewWorkflowId(), taskQueue));
            return (h, await h.GetResultAsync().WithTimeout("workflow to complete after its first task failed"));
        });

        Assert.Equal("recovered", result);
        var events = await handle.EventsAsync();
        var failed = Assert.Single(events, e => e.EventType == EventType.WorkflowTaskFailed);
        Assert.Equal(WorkflowTaskFailedCause.WorkflowWorkerUnhandledFailure, failed.WorkflowTaskFailedEventAttributes.Cause);
        Assert.Contains("first run fails", failed.WorkflowTaskFailedEventAttributes.Failure.Message, StringComparison.Ordinal);
        // The retry is attempt 2 of the same task: its Scheduled event follows the failure and carries the attempt.
        var retried = events.First(e => e.EventType == EventType.WorkflowTaskScheduled && e.EventId > failed.EventId);
        Assert.Equal(2, retried.WorkflowTaskScheduledEventAttributes.Attempt);
        Assert.Equal(EventType.WorkflowExecutionCompleted, events[^1].EventType);
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.EventId));
    }

    [Fact]
    public async Task RespondWorkflowTaskFailed_TwiceInARow_OnlyFirstFailureRecordedAndAttemptsGrow()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var raw = fixture.Client.Connection.WorkflowService;
        var handle = await fixture.Client.StartWorkflowAsync("RawFailingWorkflow", [], new WorkflowOptions(ServerFixture.NewWorkflowId(), taskQueue));

        var first = await RawWorker.PollWorkflowTaskAsync(fixture.Client, taskQueue).WithTimeout("first workflow task");
        Assert.Equal(1, first.Attempt);
        await raw.RespondWorkflowTaskFailedAsync(RawWorker.Failure(first.TaskToken, "attempt 1 failed"));

        var second = await RawWorker.PollWorkflowTaskAsync(fixture.Client, taskQueue).WithTimeout("retried workflow task (attempt 2)");
        Assert.False(second.TaskToken.IsEmpty, "a failed workflow task must be retried at once");
        Assert.Equal(2, second.Attempt);
        Assert.Equal(0, second.PreviousStartedEventId);
        AssertEndsWithStartedTaskOfAttempt(second, 2);
        var failed = Assert.Single(second.History.Events, e => e.EventType == EventType.WorkflowTaskFailed);
        Assert.Equal(first.StartedEventId, failed.WorkflowTaskFailedEventAttributes.StartedEventId);
        Assert.Equal("attempt 1 failed", failed.WorkflowTaskFailedEventAttributes.Failure.Message);
        await raw.RespondWorkflowTaskFailedAsync(RawWorker.Failure(second.TaskToken, "attempt 2 failed"));

        var third = await RawWorker.PollWorkflowTaskAsync(fixture.Client, taskQueue).WithTimeout("retried workflow task (attempt 3)");
        Assert.Equal(3, third.Attempt);
        AssertEndsWithStartedTaskOfAttempt(third, 3);
        // Failures of a transient (attempt > 1) task leave no trace in history.
        Assert.Single(third.History.Events, e => e.EventType == EventType.WorkflowTaskFailed);
        Assert.Equal(second.StartedEventId, third.StartedEventId);

        await raw.RespondWorkflowTaskCompletedAsync(RawWorker.Completion(third.TaskToken, RawWorker.CompleteCommand("third time lucky")));
        Assert.Equal("third time lucky", await handle.GetResultAsync<string>().WithTimeout("workflow result after two failed tasks"));
        var events = await handle.EventsAsync();
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.EventId));
        Assert.Single(events, e => e.EventType == EventType.WorkflowTaskFailed);
        var scheduled = events.Where(e => e.EventType == EventType.WorkflowTaskScheduled).Select(e => e.WorkflowTaskScheduledEventAttributes.Attempt);
        Assert.Equal([1, 3], scheduled);
    }

    private static void AssertEndsWithStartedTaskOfAttempt(Temporalio.Api.WorkflowService.V1.PollWorkflowTaskQueueResponse task, int attempt)
    {
        var events = task.History.Events;
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.EventId));
        Assert.Equal(EventType.WorkflowTaskStarted, events[^1].EventType);
        Assert.Equal(task.StartedEventId, events[^1].EventId);
        Assert.Equal(EventType.WorkflowTaskScheduled, events[^2].EventType);
        Assert.Equal(attempt, events[^2].WorkflowTaskScheduledEventAttributes.Attempt);
    }
}

/// <summary>Throws a plain (non-Temporal) exception on its first run per workflow id, which fails the workflow task.</summary>
[Workflow]
public sealed class ThrowOnceWorkflow
{
    private static readonly ConcurrentDictionary<string, bool> Thrown = new();

    [WorkflowRun]
    public async Task<string> RunAsync()
    {
        if (Thrown.TryAdd(Workflow.Info.WorkflowId, true))
        {
            throw new InvalidOperationException("first run fails");
        }

        await Workflow.DelayAsync(TimeSpan.FromMilliseconds(10));
        return "recovered";
    }
}
