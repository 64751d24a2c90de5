using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Worker;
using Temporalio.Workflows;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// What the SDKs build on the system Nexus endpoint: a workflow's signal-with-start of another workflow (the .NET SDK
/// sends it as an operation on <c>__temporal_system</c>), served by Tempora itself in the caller's namespace.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class SystemNexusTests(ServerFixture fixture)
{
    private TemporalClient Client => fixture.Client;

    [Workflow]
    public sealed class SignalledWorkflow
    {
        private readonly List<string> _signals = [];

        [WorkflowRun]
        public async Task<string> RunAsync(string name)
        {
            await Workflow.WaitConditionAsync(() => _signals.Count >= 2);
            return $"{name}: {string.Join(",", _signals)}";
        }

        [WorkflowSignal]
        public Task NoteAsync(string value)
        {
            _signals.Add(value);
            return Task.CompletedTask;
        }
    }

    [Workflow]
    public sealed class SignalWithStartCallerWorkflow
    {
        [WorkflowRun]
        public async Task<string> RunAsync(string targetId)
        {
            var options = new SignalWithStartWorkflowOptions(targetId, Workflow.Info.TaskQueue);
            var first = await Workflow.SignalWithStartWorkflowAsync((SignalledWorkflow wf) => wf.RunAsync("target"), wf => wf.NoteAsync("one"), options);
            var second = await Workflow.SignalWithStartWorkflowAsync((SignalledWorkflow wf) => wf.RunAsync("target"), wf => wf.NoteAsync("two"), options);
            return $"{first.Id} {first.RunId == second.RunId}";
        }
    }

    [Fact]
    public async Task SignalWithStartFromAWorkflow_StartsTheTargetOnceAndSignalsItTwice()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var targetId = ServerFixture.NewWorkflowId("sws-target");
        using var worker = new TemporalWorker(Client, new TemporalWorkerOptions(taskQueue)
            .AddWorkflow<SignalledWorkflow>().AddWorkflow<SignalWithStartCallerWorkflow>());

        var (caller, callerResult, targetResult) = await worker.ExecuteAsync(async () =>
        {
            var h = await Client.StartWorkflowAsync((SignalWithStartCallerWorkflow wf) => wf.RunAsync(targetId),
                new(ServerFixture.NewWorkflowId("sws-caller"), taskQueue));
            var r = await h.GetResultAsync<string>().WithTimeout("signal-with-start from a workflow");
            var t = await Client.GetWorkflowHandle(targetId).GetResultAsync<string>().WithTimeout("the signalled workflow");
            return (h, r, t);
        });

        Assert.Equal($"{targetId} True", callerResult);
        Assert.Equal("target: one,two", targetResult);
        var types = (await caller.EventsAsync()).Types();
        Assert.Equal(2, types.Count(t => t == EventType.NexusOperationScheduled));
        Assert.Equal(2, types.Count(t => t == EventType.NexusOperationCompleted));
    }
}
