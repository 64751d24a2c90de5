using Temporalio.Activities;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Worker;
using Temporalio.Workflows;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// User metadata (static summary and details) everywhere Temporal keeps it: the start's, returned by Describe; the
/// summaries workflows put on timers, activities and local activities, on their events; a child's, on its initiated
/// event and on the child run itself.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class UserMetadataTests(ServerFixture fixture)
{
    [Fact]
    public async Task StaticSummaryAndDetails_SetAtStart_AreDescribed()
    {
        var handle = await fixture.Client.StartWorkflowAsync((WaitForeverWorkflow wf) => wf.RunAsync(),
            new(ServerFixture.NewWorkflowId("metadata"), ServerFixture.NewTaskQueue())
            {
                StaticSummary = "Order 42 for c-42",
                StaticDetails = "Ships **tomorrow**",
            });

        var description = await handle.DescribeAsync();

        Assert.Equal("Order 42 for c-42", await description.GetStaticSummaryAsync());
        Assert.Equal("Ships **tomorrow**", await description.GetStaticDetailsAsync());
        await handle.TerminateAsync("test done");
    }

    [Fact]
    public async Task Summaries_OnTimersActivitiesAndChildren_ReachTheirEventsAndTheChildRun()
    {
        var taskQueue = ServerFixture.NewTaskQueue("metadata");
        using var worker = new TemporalWorker(fixture.Client, new TemporalWorkerOptions(taskQueue)
            .AddWorkflow<SummarizedWorkflow>()
            .AddActivity(SummarizedWorkflow.DoNothing));
        await worker.ExecuteAsync(async () =>
        {
            var handle = await fixture.Client.StartWorkflowAsync((SummarizedWorkflow wf) => wf.RunAsync(false),
                new(ServerFixture.NewWorkflowId("metadata"), taskQueue) { StaticSummary = "parent" });
            await handle.GetResultAsync().WithTimeout("the workflow");

            var events = await handle.EventsAsync();
            Assert.Contains(events, e => e.EventType == EventType.TimerStarted && Summary(e) == "\"my-timer\"");
            Assert.Contains(events, e => e.EventType == EventType.TimerStarted && Summary(e) == "\"my-wait-condition-timer\"");
            Assert.Contains(events, e => e.EventType == EventType.ActivityTaskScheduled && Summary(e) == "\"my-activity\"");
            Assert.Contains(events, e => e.EventType == EventType.MarkerRecorded && Summary(e) == "\"my-local-activity\"");
            var initiated = Assert.Single(events, e => e.EventType == EventType.StartChildWorkflowExecutionInitiated);
            Assert.Equal("\"my-child\"", Summary(initiated));
            Assert.Equal("\"my-child-details\"", initiated.UserMetadata.Details.Data.ToStringUtf8());

            var child = fixture.Client.GetWorkflowHandle(initiated.StartChildWorkflowExecutionInitiatedEventAttributes.WorkflowId);
            var description = await child.DescribeAsync();
            Assert.Equal("my-child", await description.GetStaticSummaryAsync());
            Assert.Equal("my-child-details", await description.GetStaticDetailsAsync());
            Assert.Equal("\"my-child\"", Summary((await child.EventsAsync())[0]));
        });
    }

    private static string? Summary(Temporalio.Api.History.V1.HistoryEvent e) => e.UserMetadata?.Summary?.Data?.ToStringUtf8();

    /// <summary>Puts a summary on everything that can carry one (the official SDK suite's UserMetadata workflow).</summary>
    [Workflow]
    public class SummarizedWorkflow
    {
        [Activity]
        public static string DoNothing() => "done";

        [WorkflowRun]
        public async Task RunAsync(bool returnImmediately)
        {
            if (returnImmediately)
            {
                return;
            }
            await Workflow.DelayWithOptionsAsync(new(1) { Summary = "my-timer" });
            await Workflow.WaitConditionWithOptionsAsync(new(() => false, TimeSpan.FromMilliseconds(2), "my-wait-condition-timer"));
            await Workflow.ExecuteActivityAsync(() => DoNothing(), new() { StartToCloseTimeout = TimeSpan.FromSeconds(30), Summary = "my-activity" });
            await Workflow.ExecuteLocalActivityAsync(() => DoNothing(),
                new() { StartToCloseTimeout = TimeSpan.FromSeconds(30), Summary = "my-local-activity" });
            await Workflow.ExecuteChildWorkflowAsync((SummarizedWorkflow wf) => wf.RunAsync(true),
                new() { StaticSummary = "my-child", StaticDetails = "my-child-details" });
        }
    }
}
