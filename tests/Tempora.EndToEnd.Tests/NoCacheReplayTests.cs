using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Worker;
using Temporalio.Workflows;

namespace Tempora.EndToEnd.Tests;

/// <summary>With the workflow cache off, every task replays the full history served by Tempora.</summary>
[Collection(ServerCollection.Name)]
public sealed class NoCacheReplayTests(ServerFixture fixture)
{
    [Fact]
    public async Task TimerActivitySignal_WorkerCacheDisabled_CompletesViaFullReplay()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        using var worker = new TemporalWorker(
            fixture.Client,
            new TemporalWorkerOptions(taskQueue) { MaxCachedWorkflows = 0 }
                .AddWorkflow<TimerActivitySignalWorkflow>()
                .AddAllActivities(new GreetingActivities()));

        var (handle, stage, result) = await worker.ExecuteAsync(async () =>
        {
            var h = await fixture.Client.StartWorkflowAsync(
                (TimerActivitySignalWorkflow wf) => wf.RunAsync("replay"),
                new(ServerFixture.NewWorkflowId(), taskQueue));
            var s = await Wait.UntilAsync(
                () => h.QueryAsync(wf => wf.Stage()),
                v => v == "waiting for signal",
                "workflow to reach its signal wait (query replays the history)");
            await h.SignalAsync(wf => wf.ProceedAsync("signalled"));
            return (h, s, await h.GetResultAsync().WithTimeout("no-cache workflow result"));
        });

        Assert.Equal("waiting for signal", stage);
        Assert.Equal("Hello, replay! / signalled", result);
        var types = (await handle.EventsAsync()).Types();
        Assert.Contains(EventType.TimerFired, types);
        Assert.Contains(EventType.ActivityTaskCompleted, types);
        Assert.Contains(EventType.WorkflowExecutionSignaled, types);
        Assert.Equal(EventType.WorkflowExecutionCompleted, types[^1]);
    }
}

[Workflow]
public sealed class TimerActivitySignalWorkflow
{
    private string _stage = "started";
    private string? _signal;

    [WorkflowRun]
    public async Task<string> RunAsync(string name)
    {
        _stage = "sleeping";
        await Workflow.DelayAsync(TimeSpan.FromSeconds(1));
        _stage = "running activity";
        var greeting = await Workflow.ExecuteActivityAsync(
            (GreetingActivities a) => a.SayHello(name),
            new ActivityOptions { StartToCloseTimeout = TimeSpan.FromSeconds(10) });
        _stage = "waiting for signal";
        await Workflow.WaitConditionAsync(() => _signal is not null);
        _stage = "done";
        return $"{greeting} / {_signal}";
    }

    [WorkflowSignal]
    public Task ProceedAsync(string value)
    {
        _signal = value;
        return Task.CompletedTask;
    }

    [WorkflowQuery]
    public string Stage() => _stage;
}
