using System.Collections.Concurrent;
using Temporalio.Activities;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Converters;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Temporalio.Workflows;

namespace Tempora.EndToEnd.Tests;

[Collection(ServerCollection.Name)]
public sealed class WorkflowLifecycleTests(ServerFixture fixture)
{
    private TemporalClient Client => fixture.Client;

    [Fact]
    public async Task CancelWorkflow_AwaitingLongTimer_EndsCanceled()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        using var worker = NewWorker(taskQueue);

        var (handle, ex) = await worker.ExecuteAsync(async () =>
        {
            var h = await Client.StartWorkflowAsync((LongSleepWorkflow wf) => wf.RunAsync(), new(ServerFixture.NewWorkflowId(), taskQueue));
            await Wait.ForHistoryEventAsync(h, EventType.TimerStarted);
            await h.CancelAsync();
            var e = await Assert.ThrowsAsync<WorkflowFailedException>(() => h.GetResultAsync().WithTimeout("cancelled workflow to close"));
            return (h, e);
        });

        Assert.IsType<CanceledFailureException>(ex.InnerException);
        var description = await handle.DescribeAsync();
        Assert.Equal(WorkflowExecutionStatus.Canceled, description.Status);
        var types = (await handle.EventsAsync()).Types();
        Assert.Contains(EventType.WorkflowExecutionCancelRequested, types);
        Assert.Equal(EventType.WorkflowExecutionCanceled, types[^1]);
    }

    [Fact]
    public async Task TerminateWorkflow_Running_EndsTerminated()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        using var worker = NewWorker(taskQueue);

        var (handle, ex) = await worker.ExecuteAsync(async () =>
        {
            var h = await Client.StartWorkflowAsync((LongSleepWorkflow wf) => wf.RunAsync(), new(ServerFixture.NewWorkflowId(), taskQueue));
            await Wait.ForHistoryEventAsync(h, EventType.TimerStarted);
            await h.TerminateAsync("terminated by e2e test");
            var e = await Assert.ThrowsAsync<WorkflowFailedException>(() => h.GetResultAsync().WithTimeout("terminated workflow to close"));
            return (h, e);
        });

        var terminated = Assert.IsType<TerminatedFailureException>(ex.InnerException);
        Assert.Equal("terminated by e2e test", terminated.Message);
        var description = await handle.DescribeAsync();
        Assert.Equal(WorkflowExecutionStatus.Terminated, description.Status);
        Assert.Equal(EventType.WorkflowExecutionTerminated, (await handle.EventsAsync()).Types()[^1]);
    }

    [Fact]
    public async Task StartWorkflow_WorkerStartsLater_Completes()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var handle = await Client.StartWorkflowAsync((HelloWorkflow wf) => wf.RunAsync("late worker"), new(ServerFixture.NewWorkflowId(), taskQueue));

        using var worker = NewWorker(taskQueue);
        var result = await worker.ExecuteAsync(() => handle.GetResultAsync().WithTimeout("workflow result once a worker polls"));

        Assert.Equal("Hello, late worker!", result);
    }

    [Fact]
    public async Task RunTimeout_WorkflowWaitsForever_FailsWithTimeout()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        using var worker = NewWorker(taskQueue);
        var options = new WorkflowOptions(ServerFixture.NewWorkflowId(), taskQueue) { RunTimeout = TimeSpan.FromSeconds(1) };

        var (handle, ex) = await worker.ExecuteAsync(async () =>
        {
            var h = await Client.StartWorkflowAsync((WaitForeverWorkflow wf) => wf.RunAsync(), options);
            var e = await Assert.ThrowsAsync<WorkflowFailedException>(() => h.GetResultAsync().WithTimeout("run timeout"));
            return (h, e);
        });

        Assert.IsType<TimeoutFailureException>(ex.InnerException);
        Assert.Equal(WorkflowExecutionStatus.TimedOut, (await handle.DescribeAsync()).Status);
        Assert.Equal(EventType.WorkflowExecutionTimedOut, (await handle.EventsAsync()).Types()[^1]);
    }

    [Fact]
    public async Task ExecutionTimeout_WorkflowWaitsForever_FailsWithTimeout()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        using var worker = NewWorker(taskQueue);
        var options = new WorkflowOptions(ServerFixture.NewWorkflowId(), taskQueue) { ExecutionTimeout = TimeSpan.FromSeconds(1) };

        var (handle, ex) = await worker.ExecuteAsync(async () =>
        {
            var h = await Client.StartWorkflowAsync((WaitForeverWorkflow wf) => wf.RunAsync(), options);
            var e = await Assert.ThrowsAsync<WorkflowFailedException>(() => h.GetResultAsync().WithTimeout("execution timeout"));
            return (h, e);
        });

        Assert.IsType<TimeoutFailureException>(ex.InnerException);
        Assert.Equal(WorkflowExecutionStatus.TimedOut, (await handle.DescribeAsync()).Status);
    }

    [Fact]
    public async Task WorkflowTaskTimeout_FirstTaskBlocksTooLong_TimesOutThenCompletes()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var workflowId = ServerFixture.NewWorkflowId();
        // DebugMode turns off deadlock detection so the deliberately blocking first task is allowed.
        using var worker = new TemporalWorker(
            Client,
            new TemporalWorkerOptions(taskQueue) { DebugMode = true }.AddWorkflow<SlowFirstTaskWorkflow>());
        var options = new WorkflowOptions(workflowId, taskQueue) { TaskTimeout = TimeSpan.FromSeconds(1) };

        var (handle, result) = await worker.ExecuteAsync(async () =>
        {
            var h = await Client.StartWorkflowAsync((SlowFirstTaskWorkflow wf) => wf.RunAsync(), options);
            return (h, await h.GetResultAsync().WithTimeout("workflow to recover from a workflow task timeout"));
        });

        Assert.Equal("done", result);
        var types = (await handle.EventsAsync()).Types();
        Assert.Contains(EventType.WorkflowTaskTimedOut, types);
        Assert.Equal(EventType.WorkflowExecutionCompleted, types[^1]);
    }

    [Fact]
    public async Task FailWorkflow_ApplicationFailure_ClientSeesMessage()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        using var worker = NewWorker(taskQueue);

        var (handle, ex) = await worker.ExecuteAsync(async () =>
        {
            var h = await Client.StartWorkflowAsync((FailingWorkflow wf) => wf.RunAsync(), new(ServerFixture.NewWorkflowId(), taskQueue));
            var e = await Assert.ThrowsAsync<WorkflowFailedException>(() => h.GetResultAsync().WithTimeout("failing workflow"));
            return (h, e);
        });

        var failure = Assert.IsType<ApplicationFailureException>(ex.InnerException);
        Assert.Equal("workflow gave up", failure.Message);
        Assert.Equal("GiveUp", failure.ErrorType);
        Assert.Equal(WorkflowExecutionStatus.Failed, (await handle.DescribeAsync()).Status);
    }

    [Fact]
    public async Task LocalActivity_Executed_ReturnsResultAndRecordsMarker()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        using var worker = NewWorker(taskQueue);

        var (handle, result) = await worker.ExecuteAsync(async () =>
        {
            var h = await Client.StartWorkflowAsync((LocalActivityWorkflow wf) => wf.RunAsync("local"), new(ServerFixture.NewWorkflowId(), taskQueue));
            return (h, await h.GetResultAsync().WithTimeout("local activity workflow"));
        });

        Assert.Equal("Hello, local!", result);
        var types = (await handle.EventsAsync()).Types();
        Assert.Contains(EventType.MarkerRecorded, types);
        Assert.DoesNotContain(EventType.ActivityTaskScheduled, types);
    }

    [Fact]
    public async Task Memo_SetAtStartAndUpserted_VisibleInDescribe()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        using var worker = NewWorker(taskQueue);
        var options = new WorkflowOptions(ServerFixture.NewWorkflowId(), taskQueue)
        {
            Memo = new Dictionary<string, object> { ["k"] = "v" },
        };

        var (handle, initial) = await worker.ExecuteAsync(async () =>
        {
            var h = await Client.StartWorkflowAsync((MemoWorkflow wf) => wf.RunAsync(), options);
            return (h, await h.GetResultAsync().WithTimeout("memo workflow"));
        });

        Assert.Equal("v", initial);
        var description = await handle.DescribeAsync();
        Assert.True(description.Memo.ContainsKey("k"), "memo set at start should be described");
        Assert.Equal("v", await description.Memo["k"].ToValueAsync<string>());
        Assert.True(description.Memo.ContainsKey("added"), "upserted memo should be described");
        Assert.Equal("by workflow", await description.Memo["added"].ToValueAsync<string>());
        Assert.Contains(EventType.WorkflowPropertiesModified, (await handle.EventsAsync()).Types());
    }

    private TemporalWorker NewWorker(string taskQueue) =>
        new(Client, new TemporalWorkerOptions(taskQueue)
            .AddWorkflow<HelloWorkflow>()
            .AddWorkflow<LongSleepWorkflow>()
            .AddWorkflow<WaitForeverWorkflow>()
            .AddWorkflow<FailingWorkflow>()
            .AddWorkflow<LocalActivityWorkflow>()
            .AddWorkflow<MemoWorkflow>()
            .AddAllActivities(new GreetingActivities()));
}

[Workflow]
public sealed class SlowFirstTaskWorkflow
{
    private static readonly ConcurrentDictionary<string, bool> Blocked = new();

    [WorkflowRun]
    public async Task<string> RunAsync()
    {
        if (Blocked.TryAdd(Workflow.Info.WorkflowId, true))
        {
            // Deliberately exceed the 1 s workflow task timeout, once per workflow id.
            Thread.Sleep(TimeSpan.FromSeconds(2.5));
        }

        await Workflow.DelayAsync(TimeSpan.FromMilliseconds(100));
        return "done";
    }
}

[Workflow]
public sealed class FailingWorkflow
{
    [WorkflowRun]
    public Task RunAsync() => throw new ApplicationFailureException("workflow gave up", errorType: "GiveUp");
}

[Workflow]
public sealed class LocalActivityWorkflow
{
    [WorkflowRun]
    public Task<string> RunAsync(string name) =>
        Workflow.ExecuteLocalActivityAsync(
            (GreetingActivities a) => a.SayHello(name),
            new LocalActivityOptions { StartToCloseTimeout = TimeSpan.FromSeconds(10) });
}

[Workflow]
public sealed class MemoWorkflow
{
    [WorkflowRun]
    public async Task<string> RunAsync()
    {
        var initial = Workflow.Memo.TryGetValue("k", out var raw) ? Workflow.PayloadConverter.ToValue<string>(raw.Payload) : "<missing>";
        Workflow.UpsertMemo(MemoUpdate.ValueSet("added", "by workflow"));
        await Workflow.DelayAsync(TimeSpan.FromMilliseconds(10));
        return initial;
    }
}
