using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Worker;
using Temporalio.Workflows;

namespace Tempora.EndToEnd.Tests;

[Collection(ServerCollection.Name)]
public sealed class TimerTests(ServerFixture fixture)
{
    [Fact]
    public async Task DelayAsync_OneSecond_CompletesAndRecordsTimerEvents()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        using var worker = NewWorker(taskQueue);

        var (handle, elapsed) = await worker.ExecuteAsync(async () =>
        {
            var started = DateTime.UtcNow;
            var h = await fixture.Client.StartWorkflowAsync((SleepWorkflow wf) => wf.RunAsync(1), new(ServerFixture.NewWorkflowId(), taskQueue));
            await h.GetResultAsync().WithTimeout("1 s timer workflow");
            return (h, DateTime.UtcNow - started);
        });

        Assert.True(elapsed >= TimeSpan.FromSeconds(0.9), $"workflow finished after {elapsed}, before its 1 s timer could fire");
        var types = (await handle.EventsAsync()).Types();
        Assert.Contains(EventType.TimerStarted, types);
        Assert.Contains(EventType.TimerFired, types);
        Assert.True(types.ToList().IndexOf(EventType.TimerStarted) < types.ToList().IndexOf(EventType.TimerFired), "TimerStarted before TimerFired");
        Assert.Equal(EventType.WorkflowExecutionCompleted, types[^1]);
    }

    [Fact]
    public async Task DelayAsync_CanceledAfterSignal_RecordsTimerCanceled()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        using var worker = NewWorker(taskQueue);

        var (handle, result) = await worker.ExecuteAsync(async () =>
        {
            var h = await fixture.Client.StartWorkflowAsync((CancelTimerWorkflow wf) => wf.RunAsync(), new(ServerFixture.NewWorkflowId(), taskQueue));
            await Wait.ForHistoryEventAsync(h, EventType.TimerStarted);
            await h.SignalAsync(wf => wf.CancelTimerAsync());
            return (h, await h.GetResultAsync().WithTimeout("timer-cancel workflow result"));
        });

        Assert.Equal("timer canceled", result);
        var types = (await handle.EventsAsync()).Types();
        Assert.Contains(EventType.TimerCanceled, types);
        Assert.DoesNotContain(EventType.TimerFired, types);
    }

    private TemporalWorker NewWorker(string taskQueue) =>
        new(fixture.Client, new TemporalWorkerOptions(taskQueue).AddWorkflow<SleepWorkflow>().AddWorkflow<CancelTimerWorkflow>());
}

[Workflow]
public sealed class SleepWorkflow
{
    [WorkflowRun]
    public async Task<string> RunAsync(int seconds)
    {
        await Workflow.DelayAsync(TimeSpan.FromSeconds(seconds));
        return "slept";
    }
}

[Workflow]
public sealed class CancelTimerWorkflow
{
    private bool _cancelTimer;

    [WorkflowRun]
    public async Task<string> RunAsync()
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Workflow.CancellationToken);
        var timer = Workflow.DelayAsync(TimeSpan.FromHours(1), cts.Token);
        await Workflow.WhenAnyAsync(timer, Workflow.WaitConditionAsync(() => _cancelTimer));
        cts.Cancel();
        try
        {
            await timer;
            return "timer fired";
        }
        catch (OperationCanceledException)
        {
            return "timer canceled";
        }
    }

    [WorkflowSignal]
    public Task CancelTimerAsync()
    {
        _cancelTimer = true;
        return Task.CompletedTask;
    }
}
