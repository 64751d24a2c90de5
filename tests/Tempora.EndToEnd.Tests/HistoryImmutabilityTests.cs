using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Common;
using Temporalio.Converters;
using Temporalio.Worker;
using Temporalio.Workflows;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// Written history never changes: upserting memo and search attributes adds events and leaves the run's first event
/// (which carries the start values) as it was written, whether history is served from the server's cache or its store,
/// so a worker replaying without a cache sees the same start values the workflow saw.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class HistoryImmutabilityTests(ServerFixture fixture)
{
    internal static readonly SearchAttributeKey<string> CustomerId = SearchAttributeKey.CreateKeyword("CustomerId");

    [Fact]
    public async Task Upserts_ReplayedWithoutCache_StartValuesStayAsWritten()
    {
        var taskQueue = ServerFixture.NewTaskQueue("immutable");
        // Every workflow task replays the whole history, so the start values are read again after the upserts.
        using var worker = new TemporalWorker(fixture.Client, new TemporalWorkerOptions(taskQueue) { MaxCachedWorkflows = 0 }
            .AddWorkflow<UpsertingWorkflow>());
        await worker.ExecuteAsync(async () =>
        {
            var handle = await StartAsync(fixture.Client, taskQueue);
            await Wait.UntilAsync(() => handle.QueryAsync(wf => wf.Upserted()), upserted => upserted, "the upserts");
            await handle.SignalAsync(wf => wf.FinishAsync());

            Assert.Equal(["start/c-start", "upserted/c-upserted"], await handle.GetResultAsync().WithTimeout("the workflow"));
            await AssertStartEventAsWrittenAsync(handle);
        });
    }

    internal static Task<WorkflowHandle<UpsertingWorkflow, List<string>>> StartAsync(TemporalClient client, string taskQueue) =>
        client.StartWorkflowAsync((UpsertingWorkflow wf) => wf.RunAsync(), new(ServerFixture.NewWorkflowId("immutable"), taskQueue)
        {
            Memo = new Dictionary<string, object> { ["stage"] = "start" },
            TypedSearchAttributes = new SearchAttributeCollection.Builder().Set(CustomerId, "c-start").ToSearchAttributeCollection(),
        });

    /// <summary>The first event still holds the start values; the upserts are events of their own.</summary>
    internal static async Task AssertStartEventAsWrittenAsync(WorkflowHandle handle)
    {
        var events = await handle.EventsAsync();
        var started = events[0].WorkflowExecutionStartedEventAttributes;
        var converter = DataConverter.Default.PayloadConverter;
        Assert.Equal("start", converter.ToValue<string>(started.Memo.Fields["stage"]));
        Assert.Equal("c-start", converter.ToValue<string>(started.SearchAttributes.IndexedFields["CustomerId"]));
        Assert.Contains(EventType.UpsertWorkflowSearchAttributes, events.Types());
        Assert.Contains(EventType.WorkflowPropertiesModified, events.Types());
        var description = await handle.DescribeAsync();
        Assert.Equal("upserted", await description.Memo["stage"].ToValueAsync<string>());
        Assert.Equal("c-upserted", description.TypedSearchAttributes.Get(CustomerId));
    }

    /// <summary>Returns the memo and search attribute it saw at start and at the end.</summary>
    [Workflow]
    public class UpsertingWorkflow
    {
        private bool _upserted;
        private bool _finish;

        [WorkflowRun]
        public async Task<List<string>> RunAsync()
        {
            var atStart = Seen();
            Workflow.UpsertMemo(MemoUpdate.ValueSet("stage", "upserted"));
            Workflow.UpsertTypedSearchAttributes(CustomerId.ValueSet("c-upserted"));
            _upserted = true;
            await Workflow.WaitConditionAsync(() => _finish);
            return [atStart, Seen()];
        }

        [WorkflowSignal]
        public Task FinishAsync()
        {
            _finish = true;
            return Task.CompletedTask;
        }

        [WorkflowQuery]
        public bool Upserted() => _upserted;

        private static string Seen() => $"{Workflow.PayloadConverter.ToValue<string>(Workflow.Memo["stage"].Payload)}/{Workflow.TypedSearchAttributes.Get(CustomerId)}";
    }
}
