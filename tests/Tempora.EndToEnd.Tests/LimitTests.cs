using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Temporalio.Workflows;

namespace Tempora.EndToEnd.Tests;

[Collection(ServerCollection.Name)]
public sealed class LimitTests(ServerFixture fixture)
{
    [Fact]
    public async Task CompleteWorkflow_ResultOverBlobLimit_WorkflowTaskFailedAndWorkflowTerminated()
    {
        var taskQueue = ServerFixture.NewTaskQueue("limits");
        using var worker = new TemporalWorker(fixture.Client, new TemporalWorkerOptions(taskQueue).AddWorkflow<HugeResultWorkflow>());
        await worker.ExecuteAsync(async () =>
        {
            var handle = await fixture.Client.StartWorkflowAsync((HugeResultWorkflow wf) => wf.RunAsync(), new(ServerFixture.NewWorkflowId(), taskQueue));
            var e = await Assert.ThrowsAsync<WorkflowFailedException>(() => handle.GetResultAsync().WithTimeout("oversized result to end the workflow"));
            Assert.IsType<TerminatedFailureException>(e.InnerException);
            var events = await handle.EventsAsync();
            var failed = events.Single(ev => ev.EventType == EventType.WorkflowTaskFailed).WorkflowTaskFailedEventAttributes;
            Assert.Equal(WorkflowTaskFailedCause.BadCompleteWorkflowExecutionAttributes, failed.Cause);
            Assert.Equal("Blob data size exceeds limit.", events[^1].WorkflowExecutionTerminatedEventAttributes.Reason);
        });
    }

    [Workflow]
    public class HugeResultWorkflow
    {
        [WorkflowRun]
        public Task<string> RunAsync() => Task.FromResult(new string('x', 3 * 1024 * 1024));
    }
}
