using Temporalio.Client;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Temporalio.Workflows;

namespace Tempora.EndToEnd.Tests;

[Collection(ServerCollection.Name)]
public sealed class SignalQueryTests(ServerFixture fixture)
{
    private TemporalClient Client => fixture.Client;

    [Fact]
    public async Task Signals_SentInOrder_QueryWhileRunningAndResultMatch()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        using var worker = NewWorker(taskQueue);

        var (partial, result) = await worker.ExecuteAsync(async () =>
        {
            var handle = await Client.StartWorkflowAsync((CollectSignalsWorkflow wf) => wf.RunAsync(3), new(ServerFixture.NewWorkflowId(), taskQueue));
            await handle.SignalAsync(wf => wf.AddAsync("a"));
            await handle.SignalAsync(wf => wf.AddAsync("b"));
            var queried = await Wait.UntilAsync(
                () => handle.QueryAsync(wf => wf.Values()),
                v => v.Count == 2,
                "query to report the two signals sent so far");
            await handle.SignalAsync(wf => wf.AddAsync("c"));
            return (queried, await handle.GetResultAsync().WithTimeout("collect-signals workflow result"));
        });

        Assert.Equal(["a", "b"], partial);
        Assert.Equal(["a", "b", "c"], result);
    }

    [Fact]
    public async Task Query_CompletedWorkflow_StillAnswers()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        using var worker = NewWorker(taskQueue);

        var values = await worker.ExecuteAsync(async () =>
        {
            var handle = await Client.StartWorkflowAsync((CollectSignalsWorkflow wf) => wf.RunAsync(1), new(ServerFixture.NewWorkflowId(), taskQueue));
            await handle.SignalAsync(wf => wf.AddAsync("only"));
            await handle.GetResultAsync().WithTimeout("collect-signals workflow result");
            return await handle.QueryAsync(wf => wf.Values()).WithTimeout("query on a completed workflow");
        });

        Assert.Equal(["only"], values);
    }

    [Fact]
    public async Task Query_UnknownName_ThrowsWorkflowQueryFailed()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        using var worker = NewWorker(taskQueue);

        await worker.ExecuteAsync(async () =>
        {
            var handle = await Client.StartWorkflowAsync((CollectSignalsWorkflow wf) => wf.RunAsync(1), new(ServerFixture.NewWorkflowId(), taskQueue));
            var ex = await Assert.ThrowsAsync<WorkflowQueryFailedException>(
                () => handle.QueryAsync<string>("no-such-query", []).WithTimeout("unknown query to fail"));
            Assert.Contains("no-such-query", ex.Message, StringComparison.Ordinal);
            await handle.TerminateAsync("test done");
        });
    }

    [Fact]
    public async Task Query_HandlerThrows_ThrowsWorkflowQueryFailed()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        using var worker = NewWorker(taskQueue);

        await worker.ExecuteAsync(async () =>
        {
            var handle = await Client.StartWorkflowAsync((CollectSignalsWorkflow wf) => wf.RunAsync(1), new(ServerFixture.NewWorkflowId(), taskQueue));
            var ex = await Assert.ThrowsAsync<WorkflowQueryFailedException>(
                () => handle.QueryAsync(wf => wf.Broken()).WithTimeout("throwing query to fail"));
            Assert.Contains("query handler is broken", ex.Message, StringComparison.Ordinal);
            await handle.TerminateAsync("test done");
        });
    }

    [Fact]
    public async Task SignalWithStart_NewId_StartsAndDeliversSignal()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        using var worker = NewWorker(taskQueue);

        var result = await worker.ExecuteAsync(async () =>
        {
            var options = new WorkflowOptions(ServerFixture.NewWorkflowId(), taskQueue);
            options.SignalWithStart((CollectSignalsWorkflow wf) => wf.AddAsync("from signal-with-start"));
            var handle = await Client.StartWorkflowAsync((CollectSignalsWorkflow wf) => wf.RunAsync(1), options);
            return await handle.GetResultAsync().WithTimeout("signal-with-start workflow result");
        });

        Assert.Equal(["from signal-with-start"], result);
    }

    [Fact]
    public async Task SignalWithStart_RunningId_OnlySignalsExistingRun()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var workflowId = ServerFixture.NewWorkflowId();
        using var worker = NewWorker(taskQueue);

        var (firstRun, secondRun, result) = await worker.ExecuteAsync(async () =>
        {
            var first = await Client.StartWorkflowAsync((CollectSignalsWorkflow wf) => wf.RunAsync(2), new(workflowId, taskQueue));
            await first.SignalAsync(wf => wf.AddAsync("plain signal"));

            var options = new WorkflowOptions(workflowId, taskQueue);
            options.SignalWithStart((CollectSignalsWorkflow wf) => wf.AddAsync("signal-with-start"));
            var second = await Client.StartWorkflowAsync((CollectSignalsWorkflow wf) => wf.RunAsync(2), options);

            return (first.ResultRunId, second.ResultRunId, await first.GetResultAsync().WithTimeout("workflow result"));
        });

        Assert.Equal(firstRun, secondRun);
        Assert.Equal(["plain signal", "signal-with-start"], result);
    }

    private TemporalWorker NewWorker(string taskQueue) =>
        new(Client, new TemporalWorkerOptions(taskQueue).AddWorkflow<CollectSignalsWorkflow>());
}

[Workflow]
public sealed class CollectSignalsWorkflow
{
    private readonly List<string> _values = [];

    [WorkflowRun]
    public async Task<List<string>> RunAsync(int count)
    {
        await Workflow.WaitConditionAsync(() => _values.Count >= count);
        return _values;
    }

    [WorkflowSignal]
    public Task AddAsync(string value)
    {
        _values.Add(value);
        return Task.CompletedTask;
    }

    [WorkflowQuery]
    public List<string> Values() => [.. _values];

    [WorkflowQuery]
    public string Broken() => throw new InvalidOperationException("query handler is broken");
}
