using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Client;
using Temporalio.Converters;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Temporalio.Workflows;

namespace Tempora.EndToEnd.Tests;

[Collection(ServerCollection.Name)]
public sealed class ContinueAsNewTests(ServerFixture fixture)
{
    private TemporalClient Client => fixture.Client;

    [Fact]
    public async Task ContinueAsNew_ThreeTimes_ResultFollowsChainToFinalRun()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var workflowId = ServerFixture.NewWorkflowId();
        using var worker = NewWorker(taskQueue);

        var (handle, result) = await worker.ExecuteAsync(async () =>
        {
            var h = await Client.StartWorkflowAsync((CountdownWorkflow wf) => wf.RunAsync(3), new(workflowId, taskQueue));
            return (h, await h.GetResultAsync().WithTimeout("countdown chain to finish"));
        });

        var firstRunId = handle.ResultRunId!;
        var chain = await FollowChainAsync(workflowId, firstRunId);
        Assert.Equal(4, chain.Count);
        var final = chain[^1];
        var finalStarted = final.Events[0].WorkflowExecutionStartedEventAttributes;
        Assert.Equal($"done; continued from {chain[^2].RunId}", result);
        Assert.Equal(chain[^2].RunId, finalStarted.ContinuedExecutionRunId);
        Assert.Equal(firstRunId, finalStarted.FirstExecutionRunId);
        Assert.Equal(final.RunId, finalStarted.OriginalExecutionRunId);
        Assert.Equal(ContinueAsNewInitiator.Workflow, finalStarted.Initiator);
        Assert.Equal(1, finalStarted.Attempt);
        Assert.Equal(EventType.WorkflowExecutionCompleted, final.Events[^1].EventType);
        foreach (var run in chain.SkipLast(1))
        {
            Assert.Equal(EventType.WorkflowExecutionContinuedAsNew, run.Events[^1].EventType);
            Assert.Equal(firstRunId, run.Events[0].WorkflowExecutionStartedEventAttributes.FirstExecutionRunId);
        }

        var firstRun = await Client.GetWorkflowHandle(workflowId, runId: firstRunId).DescribeAsync();
        Assert.Equal(WorkflowExecutionStatus.ContinuedAsNew, firstRun.Status);
        var latest = await Client.GetWorkflowHandle(workflowId).DescribeAsync();
        Assert.Equal(final.RunId, latest.RunId);
        Assert.Equal(WorkflowExecutionStatus.Completed, latest.Status);
    }

    [Fact]
    public async Task ContinueAsNew_ContinuedAsNewEvent_CarriesInputAndNewRunId()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var workflowId = ServerFixture.NewWorkflowId();
        using var worker = NewWorker(taskQueue);

        var handle = await worker.ExecuteAsync(async () =>
        {
            var h = await Client.StartWorkflowAsync((CountdownWorkflow wf) => wf.RunAsync(1), new(workflowId, taskQueue));
            await h.GetResultAsync().WithTimeout("countdown chain to finish");
            return h;
        });

        var firstRunEvents = await Client.GetWorkflowHandle(workflowId, runId: handle.ResultRunId).EventsAsync();
        var continued = firstRunEvents[^1].WorkflowExecutionContinuedAsNewEventAttributes;
        Assert.NotNull(continued);
        Assert.Equal(nameof(CountdownWorkflow), continued.WorkflowType.Name);
        Assert.Equal(taskQueue, continued.TaskQueue.Name);
        Assert.Equal(0, DataConverter.Default.PayloadConverter.ToValue<int>(continued.Input.Payloads_[0]));
        Assert.Equal(firstRunEvents[^2].EventId, continued.WorkflowTaskCompletedEventId);
        var secondStarted = (await Client.GetWorkflowHandle(workflowId, runId: continued.NewExecutionRunId).EventsAsync())[0];
        Assert.Equal(handle.ResultRunId, secondStarted.WorkflowExecutionStartedEventAttributes.ContinuedExecutionRunId);
        Assert.Equal(
            continued.Input.Payloads_[0].Data,
            secondStarted.WorkflowExecutionStartedEventAttributes.Input.Payloads_[0].Data);
    }

    [Fact]
    public async Task Signal_AfterContinueAsNew_GoesToLatestRun()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var workflowId = ServerFixture.NewWorkflowId();
        using var worker = NewWorker(taskQueue);

        var (first, latestRunId, result) = await worker.ExecuteAsync(async () =>
        {
            var h = await Client.StartWorkflowAsync((SignalThenContinueWorkflow wf) => wf.RunAsync(0), new(workflowId, taskQueue));
            await h.SignalAsync(wf => wf.PushAsync("a"));
            var latest = await WaitForNextRunAsync(workflowId, h.ResultRunId!);
            await Client.GetWorkflowHandle<SignalThenContinueWorkflow>(workflowId).SignalAsync(wf => wf.PushAsync("b"));
            return (h, latest, await h.GetResultAsync().WithTimeout("second run to take the signal"));
        });

        Assert.Equal("generation 1 got b; continued=True", result);
        var latestEvents = await Client.GetWorkflowHandle(workflowId, runId: latestRunId).EventsAsync();
        var signaled = Assert.Single(latestEvents, e => e.EventType == EventType.WorkflowExecutionSignaled);
        Assert.Equal("Push", signaled.WorkflowExecutionSignaledEventAttributes.SignalName);
        var firstEvents = await Client.GetWorkflowHandle(workflowId, runId: first.ResultRunId).EventsAsync();
        Assert.Single(firstEvents, e => e.EventType == EventType.WorkflowExecutionSignaled);
    }

    [Fact]
    public async Task SignalWithStart_AfterContinueAsNew_SignalsLatestRun()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var workflowId = ServerFixture.NewWorkflowId();
        using var worker = NewWorker(taskQueue);

        var (latestRunId, signalWithStart, result) = await worker.ExecuteAsync(async () =>
        {
            var h = await Client.StartWorkflowAsync((SignalThenContinueWorkflow wf) => wf.RunAsync(0), new(workflowId, taskQueue));
            await h.SignalAsync(wf => wf.PushAsync("a"));
            var latest = await WaitForNextRunAsync(workflowId, h.ResultRunId!);
            var options = new WorkflowOptions(workflowId, taskQueue);
            options.SignalWithStart((SignalThenContinueWorkflow wf) => wf.PushAsync("c"));
            var sws = await Client.StartWorkflowAsync((SignalThenContinueWorkflow wf) => wf.RunAsync(0), options);
            return (latest, sws, await sws.GetResultAsync().WithTimeout("latest run to take the signal-with-start signal"));
        });

        Assert.Equal(latestRunId, signalWithStart.ResultRunId);
        Assert.Equal("generation 1 got c; continued=True", result);
    }

    [Fact]
    public async Task ContinueAsNew_NewRun_SeesContinuedRunIdInWorkflowInfo()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var workflowId = ServerFixture.NewWorkflowId();
        using var worker = NewWorker(taskQueue);

        var (handle, result) = await worker.ExecuteAsync(async () =>
        {
            var h = await Client.StartWorkflowAsync((CountdownWorkflow wf) => wf.RunAsync(1), new(workflowId, taskQueue));
            return (h, await h.GetResultAsync().WithTimeout("countdown chain to finish"));
        });

        Assert.Equal($"done; continued from {handle.ResultRunId}", result);
    }

    [Fact]
    public async Task GetResult_NotFollowingRuns_ThrowsContinuedAsNewWithNextRunId()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var workflowId = ServerFixture.NewWorkflowId();
        using var worker = NewWorker(taskQueue);

        var (handle, ex) = await worker.ExecuteAsync(async () =>
        {
            var h = await Client.StartWorkflowAsync((CountdownWorkflow wf) => wf.RunAsync(1), new(workflowId, taskQueue));
            var e = await Assert.ThrowsAsync<WorkflowContinuedAsNewException>(
                () => h.GetResultAsync(followRuns: false).WithTimeout("first run to continue as new"));
            await h.GetResultAsync().WithTimeout("countdown chain to finish");
            return (h, e);
        });

        var latest = await Client.GetWorkflowHandle(workflowId).DescribeAsync();
        Assert.Equal(latest.RunId, ex.NewRunId);
        Assert.NotEqual(handle.ResultRunId, ex.NewRunId);
    }

    [Fact]
    public async Task CancelWorkflow_AfterContinueAsNew_CancelsLatestRun()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var workflowId = ServerFixture.NewWorkflowId();
        using var worker = NewWorker(taskQueue);

        var (firstRunId, latestRunId, ex) = await worker.ExecuteAsync(async () =>
        {
            var h = await Client.StartWorkflowAsync((SignalThenContinueWorkflow wf) => wf.RunAsync(0), new(workflowId, taskQueue));
            await h.SignalAsync(wf => wf.PushAsync("a"));
            var latest = await WaitForNextRunAsync(workflowId, h.ResultRunId!);
            await Client.GetWorkflowHandle(workflowId).CancelAsync();
            var e = await Assert.ThrowsAsync<WorkflowFailedException>(() => h.GetResultAsync().WithTimeout("latest run to be cancelled"));
            return (h.ResultRunId!, latest, e);
        });

        Assert.IsType<CanceledFailureException>(ex.InnerException);
        Assert.Equal(WorkflowExecutionStatus.Canceled, (await Client.GetWorkflowHandle(workflowId, runId: latestRunId).DescribeAsync()).Status);
        Assert.Equal(WorkflowExecutionStatus.ContinuedAsNew, (await Client.GetWorkflowHandle(workflowId, runId: firstRunId).DescribeAsync()).Status);
    }

    private async Task<string> WaitForNextRunAsync(string workflowId, string firstRunId)
    {
        var description = await Wait.UntilAsync(
            () => Client.GetWorkflowHandle(workflowId).DescribeAsync(),
            d => d.RunId != firstRunId,
            "workflow to continue as new");
        return description.RunId;
    }

    /// <summary>Each run of the chain starting at <paramref name="firstRunId"/>, following new_execution_run_id.</summary>
    private async Task<IReadOnlyList<(string RunId, IReadOnlyList<HistoryEvent> Events)>> FollowChainAsync(string workflowId, string firstRunId)
    {
        var runs = new List<(string, IReadOnlyList<HistoryEvent>)>();
        var runId = firstRunId;
        while (!string.IsNullOrEmpty(runId) && runs.Count < 20)
        {
            var events = await Client.GetWorkflowHandle(workflowId, runId: runId).EventsAsync();
            runs.Add((runId, events));
            runId = events[^1].WorkflowExecutionContinuedAsNewEventAttributes?.NewExecutionRunId;
        }

        return runs;
    }

    private TemporalWorker NewWorker(string taskQueue) =>
        new(Client, new TemporalWorkerOptions(taskQueue)
            .AddWorkflow<CountdownWorkflow>()
            .AddWorkflow<SignalThenContinueWorkflow>());
}

/// <summary>Continues as new with <c>remaining - 1</c> until zero, then names the run it continued from.</summary>
[Workflow]
public sealed class CountdownWorkflow
{
    [WorkflowRun]
    public async Task<string> RunAsync(int remaining)
    {
        await Workflow.DelayAsync(TimeSpan.FromMilliseconds(10));
        if (remaining > 0)
        {
            throw Workflow.CreateContinueAsNewException((CountdownWorkflow wf) => wf.RunAsync(remaining - 1));
        }

        return $"done; continued from {Workflow.Info.ContinuedRunId ?? "<none>"}";
    }
}

/// <summary>Generation 0 continues as new on its first signal; generation 1 returns the signals it received.</summary>
[Workflow]
public sealed class SignalThenContinueWorkflow
{
    private readonly List<string> _values = [];

    [WorkflowRun]
    public async Task<string> RunAsync(int generation)
    {
        await Workflow.WaitConditionAsync(() => _values.Count > 0);
        if (generation == 0)
        {
            throw Workflow.CreateContinueAsNewException((SignalThenContinueWorkflow wf) => wf.RunAsync(1));
        }

        return $"generation {generation} got {string.Join(",", _values)}; continued={Workflow.Info.ContinuedRunId is not null}";
    }

    [WorkflowSignal]
    public Task PushAsync(string value)
    {
        _values.Add(value);
        return Task.CompletedTask;
    }
}
