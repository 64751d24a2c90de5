using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Temporalio.Workflows;

namespace Tempora.EndToEnd.Tests;

[Collection(ServerCollection.Name)]
public sealed class UpdateTests(ServerFixture fixture)
{
    [Fact]
    public async Task ExecuteUpdate_RunningWorkflow_ReturnsResultAndChangesState()
    {
        await RunAsync(async (client, taskQueue) =>
        {
            var handle = await client.StartWorkflowAsync((CounterWorkflow wf) => wf.RunAsync(), new(ServerFixture.NewWorkflowId(), taskQueue));
            Assert.Equal(5, await handle.ExecuteUpdateAsync(wf => wf.AddAsync(5)));
            Assert.Equal(12, await handle.ExecuteUpdateAsync(wf => wf.AddAsync(7)));
            await handle.SignalAsync(wf => wf.FinishAsync());
            Assert.Equal(12, await handle.GetResultAsync().WithTimeout("workflow to finish"));

            var events = await handle.EventsAsync();
            Assert.Equal(2, events.Count(e => e.EventType == EventType.WorkflowExecutionUpdateAccepted));
            Assert.Equal(2, events.Count(e => e.EventType == EventType.WorkflowExecutionUpdateCompleted));
            Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.EventId));
        });
    }

    [Fact]
    public async Task ExecuteUpdate_ValidatorRejects_ThrowsAndLeavesNoUpdateEvents()
    {
        await RunAsync(async (client, taskQueue) =>
        {
            var handle = await client.StartWorkflowAsync((CounterWorkflow wf) => wf.RunAsync(), new(ServerFixture.NewWorkflowId(), taskQueue));
            await Wait.ForHistoryEventAsync(handle, EventType.WorkflowTaskCompleted);
            var before = (await handle.EventsAsync()).Count;

            var e = await Assert.ThrowsAsync<WorkflowUpdateFailedException>(() => handle.ExecuteUpdateAsync(wf => wf.AddAsync(-1)));
            Assert.Contains("negative", e.InnerException?.Message ?? "", StringComparison.Ordinal);
            // The rejection was delivered in a speculative workflow task, which leaves no trace in history.
            var afterRejection = await handle.EventsAsync();
            Assert.True(before == afterRejection.Count, string.Join(",", afterRejection.Select(ev => ev.EventType)));
            Assert.Equal(3, await handle.ExecuteUpdateAsync(wf => wf.AddAsync(3)));
            var events = await handle.EventsAsync();
            Assert.Single(events, ev => ev.EventType == EventType.WorkflowExecutionUpdateAccepted);
            await handle.TerminateAsync("done");
        });
    }

    [Fact]
    public async Task StartUpdate_WaitForAccepted_ThenResultArrives()
    {
        await RunAsync(async (client, taskQueue) =>
        {
            var handle = await client.StartWorkflowAsync((CounterWorkflow wf) => wf.RunAsync(), new(ServerFixture.NewWorkflowId(), taskQueue));
            var update = await handle.StartUpdateAsync(wf => wf.AddSlowlyAsync(4), new(WorkflowUpdateStage.Accepted));
            Assert.Equal(4, await update.GetResultAsync().WithTimeout("update result"));
            await handle.TerminateAsync("done");
        });
    }

    [Fact]
    public async Task UpdateWithStart_NewWorkflow_StartsAndUpdates()
    {
        await RunAsync(async (client, taskQueue) =>
        {
            var id = ServerFixture.NewWorkflowId();
            var start = WithStartWorkflowOperation.Create((CounterWorkflow wf) => wf.RunAsync(),
                new(id, taskQueue) { IdConflictPolicy = WorkflowIdConflictPolicy.UseExisting });
            var result = await client.ExecuteUpdateWithStartWorkflowAsync((CounterWorkflow wf) => wf.AddAsync(9), new(start));
            Assert.Equal(9, result);
            var handle = await start.GetHandleAsync();
            Assert.Equal(19, await client.ExecuteUpdateWithStartWorkflowAsync((CounterWorkflow wf) => wf.AddAsync(10),
                new(WithStartWorkflowOperation.Create((CounterWorkflow wf) => wf.RunAsync(),
                    new(id, taskQueue) { IdConflictPolicy = WorkflowIdConflictPolicy.UseExisting }))));
            await handle.TerminateAsync("done");
        });
    }

    [Fact]
    public async Task ExecuteUpdate_CompletedWorkflow_Throws()
    {
        await RunAsync(async (client, taskQueue) =>
        {
            var handle = await client.StartWorkflowAsync((CounterWorkflow wf) => wf.RunAsync(), new(ServerFixture.NewWorkflowId(), taskQueue));
            await handle.SignalAsync(wf => wf.FinishAsync());
            await handle.GetResultAsync().WithTimeout("workflow to finish");
            var e = await Assert.ThrowsAsync<RpcException>(() => handle.ExecuteUpdateAsync(wf => wf.AddAsync(1)));
            Assert.Equal(RpcException.StatusCode.NotFound, e.Code);
        });
    }

    [Fact]
    public async Task ExecuteUpdate_ShortClientDeadline_TimesOutCleanly()
    {
        // No worker: the update can only wait, and a 50 ms deadline must surface as a timeout, not a server error.
        var handle = await fixture.Client.StartWorkflowAsync((CounterWorkflow wf) => wf.RunAsync(),
            new(ServerFixture.NewWorkflowId(), ServerFixture.NewTaskQueue("no-worker")));
        await Assert.ThrowsAsync<WorkflowUpdateRpcTimeoutOrCanceledException>(() =>
            handle.ExecuteUpdateAsync(wf => wf.AddAsync(1), new() { Rpc = new() { Timeout = TimeSpan.FromMilliseconds(50) } }));
        await handle.TerminateAsync("done");
    }

    private async Task RunAsync(Func<TemporalClient, string, Task> test)
    {
        var taskQueue = ServerFixture.NewTaskQueue("update");
        using var worker = new TemporalWorker(fixture.Client, new TemporalWorkerOptions(taskQueue).AddWorkflow<CounterWorkflow>());
        await worker.ExecuteAsync(() => test(fixture.Client, taskQueue));
    }

    [Workflow]
    public class CounterWorkflow
    {
        private int _total;
        private bool _finish;

        [WorkflowRun]
        public async Task<int> RunAsync()
        {
            await Workflow.WaitConditionAsync(() => _finish);
            return _total;
        }

        [WorkflowUpdate]
        public Task<int> AddAsync(int amount)
        {
            _total += amount;
            return Task.FromResult(_total);
        }

        [WorkflowUpdateValidator(nameof(AddAsync))]
        public void ValidateAdd(int amount)
        {
            if (amount < 0)
            {
                throw new ApplicationFailureException("amount must not be negative");
            }
        }

        [WorkflowUpdate]
        public async Task<int> AddSlowlyAsync(int amount)
        {
            await Workflow.DelayAsync(TimeSpan.FromMilliseconds(300));
            _total += amount;
            return _total;
        }

        [WorkflowSignal]
        public Task FinishAsync()
        {
            _finish = true;
            return Task.CompletedTask;
        }
    }
}
