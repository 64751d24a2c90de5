using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Worker;
using Temporalio.Workflows;

namespace Tempora.EndToEnd.Tests;

[Collection(ServerCollection.Name)]
public sealed class ResetTests(ServerFixture fixture)
{
    [Fact]
    public async Task Reset_ToFirstWorkflowTask_NewRunReappliesSignalsAndCompletes()
    {
        var taskQueue = ServerFixture.NewTaskQueue("reset");
        var client = fixture.Client;
        using var worker = new TemporalWorker(client, new TemporalWorkerOptions(taskQueue).AddWorkflow<CollectWorkflow>());
        await worker.ExecuteAsync(async () =>
        {
            var id = ServerFixture.NewWorkflowId("reset");
            var handle = await client.StartWorkflowAsync((CollectWorkflow wf) => wf.RunAsync(2), new(id, taskQueue));
            await handle.SignalAsync(wf => wf.AddAsync("a"));
            await Wait.UntilAsync(() => handle.QueryAsync(wf => wf.Count()), n => n == 1, "first signal to be processed");

            var events = await handle.EventsAsync();
            var firstCompleted = events.First(e => e.EventType == EventType.WorkflowTaskCompleted).EventId;
            var reset = await client.Connection.WorkflowService.ResetWorkflowExecutionAsync(new ResetWorkflowExecutionRequest
            {
                Namespace = client.Options.Namespace,
                WorkflowExecution = new() { WorkflowId = id, RunId = handle.ResultRunId },
                WorkflowTaskFinishEventId = firstCompleted,
                RequestId = Guid.NewGuid().ToString(),
                Reason = "bad deploy",
            });
            Assert.NotEqual(handle.ResultRunId, reset.RunId);
            Assert.Equal(WorkflowExecutionStatus.Terminated, (await client.GetWorkflowHandle(id, handle.ResultRunId).DescribeAsync()).Status);

            var resetHandle = client.GetWorkflowHandle<CollectWorkflow>(id, reset.RunId);
            await Wait.UntilAsync(() => resetHandle.QueryAsync(wf => wf.Count()), n => n == 1, "the reapplied signal in the new run");
            await resetHandle.SignalAsync(wf => wf.AddAsync("b"));
            Assert.Equal(["a", "b"], await resetHandle.GetResultAsync<List<string>>().WithTimeout("reset run to finish"));

            var resetEvents = await resetHandle.EventsAsync();
            var failed = resetEvents.Single(e => e.EventType == EventType.WorkflowTaskFailed).WorkflowTaskFailedEventAttributes;
            Assert.Equal(WorkflowTaskFailedCause.ResetWorkflow, failed.Cause);
            Assert.Equal(handle.ResultRunId, failed.BaseRunId);
            Assert.Equal(reset.RunId, failed.NewRunId);
            Assert.Equal(Enumerable.Range(1, resetEvents.Count).Select(i => (long)i), resetEvents.Select(e => e.EventId));
        });
    }

    [Fact]
    public async Task Reset_BadEventId_ThrowsInvalidArgument()
    {
        var taskQueue = ServerFixture.NewTaskQueue("reset");
        var client = fixture.Client;
        using var worker = new TemporalWorker(client, new TemporalWorkerOptions(taskQueue).AddWorkflow<CollectWorkflow>());
        await worker.ExecuteAsync(async () =>
        {
            var id = ServerFixture.NewWorkflowId("reset-bad");
            var handle = await client.StartWorkflowAsync((CollectWorkflow wf) => wf.RunAsync(1), new(id, taskQueue));
            var e = await Assert.ThrowsAsync<Temporalio.Exceptions.RpcException>(() => client.Connection.WorkflowService.ResetWorkflowExecutionAsync(
                new ResetWorkflowExecutionRequest
                {
                    Namespace = client.Options.Namespace,
                    WorkflowExecution = new() { WorkflowId = id },
                    WorkflowTaskFinishEventId = 1,
                    RequestId = Guid.NewGuid().ToString(),
                }));
            Assert.Equal(Temporalio.Exceptions.RpcException.StatusCode.InvalidArgument, e.Code);
            await handle.TerminateAsync("done");
        });
    }

    [Fact]
    public async Task Reset_ToPointWhileChildRan_NewRunGetsTheChildResultReapplied()
    {
        var taskQueue = ServerFixture.NewTaskQueue("reset-child");
        var client = fixture.Client;
        using var worker = new TemporalWorker(client, new TemporalWorkerOptions(taskQueue).AddWorkflow<ParentWorkflow>().AddWorkflow<CollectWorkflow>());
        await worker.ExecuteAsync(async () =>
        {
            var id = ServerFixture.NewWorkflowId("reset-parent");
            var handle = await client.StartWorkflowAsync((ParentWorkflow wf) => wf.RunAsync(), new(id, taskQueue));
            var childId = id + "-child";
            await Wait.ForHistoryEventAsync(handle, EventType.ChildWorkflowExecutionStarted);
            // A workflow task completed after the child started (the one that initiated it would drop the child too).
            var events = await Wait.UntilAsync(async () => await handle.EventsAsync(),
                h => h.Last(e => e.EventType == EventType.WorkflowTaskCompleted).EventId > h.First(e => e.EventType == EventType.ChildWorkflowExecutionStarted).EventId,
                "a workflow task after the child started");
            var inFlight = events.Last(e => e.EventType == EventType.WorkflowTaskCompleted).EventId;
            await client.GetWorkflowHandle<CollectWorkflow>(childId).SignalAsync(wf => wf.AddAsync("from child"));
            await Wait.ForHistoryEventAsync(handle, EventType.ChildWorkflowExecutionCompleted);
            await Wait.UntilAsync(() => handle.QueryAsync(wf => wf.ChildResult()), r => r is not null, "parent to record the child result");

            // The child was still running at the reset point: the new run keeps it and gets its result reapplied.
            var reset = await ResetAsync(client, id, handle.ResultRunId!, inFlight);
            var resetHandle = client.GetWorkflowHandle<ParentWorkflow>(id, reset.RunId);
            await resetHandle.SignalAsync(wf => wf.FinishAsync());
            Assert.Equal("from child", await resetHandle.GetResultAsync<string>().WithTimeout("reset parent to finish"));
        });
    }

    private static Task<ResetWorkflowExecutionResponse> ResetAsync(TemporalClient client, string id, string runId, long eventId) =>
        client.Connection.WorkflowService.ResetWorkflowExecutionAsync(new ResetWorkflowExecutionRequest
        {
            Namespace = client.Options.Namespace,
            WorkflowExecution = new() { WorkflowId = id, RunId = runId },
            WorkflowTaskFinishEventId = eventId,
            RequestId = Guid.NewGuid().ToString(),
        });

    [Workflow]
    public class ParentWorkflow
    {
        private string? _childResult;
        private bool _finish;

        [WorkflowRun]
        public async Task<string> RunAsync()
        {
            var result = await Workflow.ExecuteChildWorkflowAsync((CollectWorkflow wf) => wf.RunAsync(1),
                new() { Id = Workflow.Info.WorkflowId + "-child" });
            _childResult = result[0];
            await Workflow.WaitConditionAsync(() => _finish);
            return _childResult;
        }

        [WorkflowSignal]
        public Task FinishAsync()
        {
            _finish = true;
            return Task.CompletedTask;
        }

        [WorkflowQuery]
        public string? ChildResult() => _childResult;
    }

    [Workflow]
    public class CollectWorkflow
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
        public int Count() => _values.Count;
    }
}
