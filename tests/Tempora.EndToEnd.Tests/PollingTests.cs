using System.Diagnostics;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Exceptions;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// The worker protocol driven by hand: raw long polls and raw workflow task completions, no SDK worker involved.
/// The workflow type <see cref="RawWorkflowType"/> exists only as a name; the test plays the worker.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class PollingTests(ServerFixture fixture)
{
    private const string RawWorkflowType = "RawProtocolWorkflow";

    private TemporalClient Client => fixture.Client;

    private Temporalio.Client.WorkflowService Raw => Client.Connection.WorkflowService;

    /// <summary>
    /// Polls with a 4 s deadline; the response and how long it took. The server answers 1 s before the deadline, and
    /// client and server share this test process and its 2 cores with the other test collections: a stall there has
    /// eaten that second once (CI, cache-off pass). So a poll that ran into its deadline is tried once more; a server
    /// that holds polls past the deadline fails both attempts.
    /// </summary>
    private static async Task<(T Response, TimeSpan Elapsed)> EmptyPollAsync<T>(Func<RpcOptions, Task<T>> poll, string what)
    {
        for (var attempt = 1; ; attempt++)
        {
            var watch = Stopwatch.StartNew();
            try
            {
                var response = await poll(new RpcOptions { Timeout = TimeSpan.FromSeconds(4) }).WithTimeout(what, TimeSpan.FromSeconds(10));
                return (response, watch.Elapsed);
            }
            catch (RpcException e) when (attempt == 1 && e.Code is RpcException.StatusCode.DeadlineExceeded or RpcException.StatusCode.Cancelled)
            {
                // the deadline passed before the answer arrived: once more
            }
        }
    }

    [Fact]
    public async Task PollWorkflowTaskQueue_NoTask_ReturnsEmptyResponseBeforeDeadline()
    {
        var request = new PollWorkflowTaskQueueRequest
        {
            Namespace = "default",
            TaskQueue = RawWorker.NormalQueue(ServerFixture.NewTaskQueue()),
            Identity = RawWorker.Identity,
        };

        var (response, elapsed) = await EmptyPollAsync(options => Raw.PollWorkflowTaskQueueAsync(request, options), "empty workflow task poll");

        Assert.True(response.TaskToken.IsEmpty, "an empty poll must be a successful response with an empty task token");
        Assert.True(elapsed >= TimeSpan.FromSeconds(2), $"the poll should be held until shortly before the deadline, returned after {elapsed}");
    }

    [Fact]
    public async Task PollActivityTaskQueue_NoTask_ReturnsEmptyResponseBeforeDeadline()
    {
        var request = new PollActivityTaskQueueRequest
        {
            Namespace = "default",
            TaskQueue = RawWorker.NormalQueue(ServerFixture.NewTaskQueue()),
            Identity = RawWorker.Identity,
        };

        var (response, elapsed) = await EmptyPollAsync(options => Raw.PollActivityTaskQueueAsync(request, options), "empty activity task poll");

        Assert.True(response.TaskToken.IsEmpty, "an empty poll must be a successful response with an empty task token");
        Assert.True(elapsed >= TimeSpan.FromSeconds(2), $"the poll should be held until shortly before the deadline, returned after {elapsed}");
    }

    [Fact]
    public async Task PollWorkflowTaskQueue_HeldWhenWorkflowStarts_ReceivesFirstTaskAndCompletes()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var workflowId = ServerFixture.NewWorkflowId();

        var poll = PollWorkflowTaskAsync(taskQueue);
        await WaitForPollerAsync(taskQueue);
        var handle = await Task.Run(() => Client.StartWorkflowAsync(RawWorkflowType, [], new WorkflowOptions(workflowId, taskQueue)));
        var task = await poll.WithTimeout("held poll to receive the new workflow task");

        Assert.False(task.TaskToken.IsEmpty, "the held poll should return the workflow task");
        Assert.Equal(RawWorkflowType, task.WorkflowType.Name);
        Assert.Equal(workflowId, task.WorkflowExecution.WorkflowId);
        Assert.Equal(handle.ResultRunId, task.WorkflowExecution.RunId);
        Assert.Equal(taskQueue, task.WorkflowExecutionTaskQueue.Name);
        var events = task.History.Events;
        Assert.Equal(1, events[0].EventId);
        Assert.Equal(EventType.WorkflowExecutionStarted, events[0].EventType);
        Assert.Equal(EventType.WorkflowTaskStarted, events[^1].EventType);
        Assert.Equal(events[^1].EventId, task.StartedEventId);
        Assert.Equal(0, task.PreviousStartedEventId);
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.EventId));

        await Raw.RespondWorkflowTaskCompletedAsync(RawWorker.Completion(task.TaskToken, RawWorker.CompleteCommand("raw done")));

        Assert.Equal("raw done", await handle.GetResultAsync<string>().WithTimeout("raw-completed workflow result"));
        Assert.Equal(WorkflowExecutionStatus.Completed, (await handle.DescribeAsync()).Status);
    }

    [Fact]
    public async Task PollWorkflowTaskQueue_CancelledByClient_TaskStartedLaterGoesToNextPoll()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        using (var cts = new CancellationTokenSource())
        {
            var abandoned = PollWorkflowTaskAsync(taskQueue, cts.Token);
            await WaitForPollerAsync(taskQueue);
            await cts.CancelAsync();
            var ex = await Assert.ThrowsAnyAsync<Exception>(() => abandoned.WithTimeout("cancelled poll to end"));
            Assert.True(
                ex is OperationCanceledException || ex is RpcException { Code: RpcException.StatusCode.Cancelled },
                $"expected the poll to end as cancelled, got {ex.GetType().Name}: {ex.Message}");
        }

        var handle = await Client.StartWorkflowAsync(RawWorkflowType, [], new WorkflowOptions(ServerFixture.NewWorkflowId(), taskQueue));
        var task = await PollWorkflowTaskAsync(taskQueue).WithTimeout("next poll to receive the workflow task");

        Assert.False(task.TaskToken.IsEmpty, "the task must not have been handed to the cancelled poll");
        Assert.Equal(handle.ResultRunId, task.WorkflowExecution.RunId);
        Assert.Equal(1, task.Attempt);
        Assert.Equal(3, task.StartedEventId);
        await Raw.RespondWorkflowTaskCompletedAsync(RawWorker.Completion(task.TaskToken, RawWorker.CompleteCommand("ok")));
        Assert.Equal("ok", await handle.GetResultAsync<string>().WithTimeout("workflow result"));
    }

    [Fact]
    public async Task PollWorkflowTaskQueue_SecondTaskAfterTimer_CarriesPreviousStartedEventIdAndFullHistory()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var handle = await Client.StartWorkflowAsync(RawWorkflowType, [], new WorkflowOptions(ServerFixture.NewWorkflowId(), taskQueue));

        var first = await PollWorkflowTaskAsync(taskQueue).WithTimeout("first workflow task");
        Assert.False(first.TaskToken.IsEmpty, "the first poll should return the workflow task");
        await Raw.RespondWorkflowTaskCompletedAsync(RawWorker.Completion(first.TaskToken, RawWorker.TimerCommand("t1", TimeSpan.FromSeconds(1))));

        var second = await PollWorkflowTaskAsync(taskQueue).WithTimeout("second workflow task after the timer fired");

        Assert.False(second.TaskToken.IsEmpty, "the second poll should return the task created by the timer");
        Assert.Equal(first.StartedEventId, second.PreviousStartedEventId);
        Assert.Equal(1, second.Attempt);
        Assert.Equal(taskQueue, second.WorkflowExecutionTaskQueue.Name);
        Assert.Equal(TaskQueueKind.Normal, second.WorkflowExecutionTaskQueue.Kind);
        var events = second.History.Events;
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.EventId));
        Assert.Equal(EventType.WorkflowExecutionStarted, events[0].EventType);
        Assert.Equal(EventType.WorkflowTaskStarted, events[^1].EventType);
        Assert.Equal(events[^1].EventId, second.StartedEventId);
        Assert.Contains(events, e => e.EventType == EventType.TimerFired && e.TimerFiredEventAttributes.TimerId == "t1");

        await Raw.RespondWorkflowTaskCompletedAsync(RawWorker.Completion(second.TaskToken, RawWorker.CompleteCommand("after timer")));
        Assert.Equal("after timer", await handle.GetResultAsync<string>().WithTimeout("workflow result after the second task"));
    }

    [Fact]
    public async Task RespondWorkflowTaskCompleted_StaleToken_ThrowsNotFound()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var handle = await Client.StartWorkflowAsync(RawWorkflowType, [], new WorkflowOptions(ServerFixture.NewWorkflowId(), taskQueue));
        var task = await PollWorkflowTaskAsync(taskQueue).WithTimeout("first workflow task");
        await Raw.RespondWorkflowTaskCompletedAsync(RawWorker.Completion(task.TaskToken, RawWorker.TimerCommand("t1", TimeSpan.FromHours(1))));

        var ex = await Assert.ThrowsAsync<RpcException>(
            () => Raw.RespondWorkflowTaskCompletedAsync(RawWorker.Completion(task.TaskToken, RawWorker.CompleteCommand("second completion"))));

        Assert.Equal(RpcException.StatusCode.NotFound, ex.Code);
        Assert.Equal(WorkflowExecutionStatus.Running, (await handle.DescribeAsync()).Status);
        await handle.TerminateAsync("test done");
    }

    [Fact]
    public async Task RespondWorkflowTaskCompleted_CloseCommandNotLast_ThrowsInvalidArgument()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var handle = await Client.StartWorkflowAsync(RawWorkflowType, [], new WorkflowOptions(ServerFixture.NewWorkflowId(), taskQueue));
        var task = await PollWorkflowTaskAsync(taskQueue).WithTimeout("first workflow task");

        var ex = await Assert.ThrowsAsync<RpcException>(() => Raw.RespondWorkflowTaskCompletedAsync(
            RawWorker.Completion(task.TaskToken, RawWorker.CompleteCommand("too early"), RawWorker.TimerCommand("t1", TimeSpan.FromSeconds(1)))));

        Assert.Equal(RpcException.StatusCode.InvalidArgument, ex.Code);
        Assert.Equal(WorkflowExecutionStatus.Running, (await handle.DescribeAsync()).Status);
        Assert.DoesNotContain(EventType.WorkflowExecutionCompleted, (await handle.EventsAsync()).Types());
        await handle.TerminateAsync("test done");
    }

    private Task<PollWorkflowTaskQueueResponse> PollWorkflowTaskAsync(string taskQueue, CancellationToken cancellationToken = default) =>
        RawWorker.PollWorkflowTaskAsync(Client, taskQueue, cancellationToken: cancellationToken);

    private Task WaitForPollerAsync(string taskQueue) =>
        Wait.UntilAsync(
            () => Raw.DescribeTaskQueueAsync(new DescribeTaskQueueRequest
            {
                Namespace = "default",
                TaskQueue = RawWorker.NormalQueue(taskQueue),
                TaskQueueType = TaskQueueType.Workflow,
            }),
            r => r.Pollers.Any(p => p.Identity == RawWorker.Identity),
            $"raw poller to be registered on {taskQueue}",
            TimeSpan.FromSeconds(5));
}
