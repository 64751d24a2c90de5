using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Temporalio.Api.Command.V1;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Temporalio.Workflows;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// Strings no store can hold (a NUL character; an unpaired UTF-16 surrogate, which only a JSON escape can carry over the
/// wire) are refused with InvalidArgument naming the field, on every store alike. On PostgreSQL a NUL in a workflow
/// type or Keyword value used to be accepted and then block the visibility outbox, so every list in every namespace
/// answered Internal; each case therefore checks that listing and counting still work afterwards.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class StorableStringTests(ServerFixture fixture)
{
    private Temporalio.Client.WorkflowService Raw => fixture.Client.Connection.WorkflowService;

    public static TheoryData<string, string> BadStarts => new()
    {
        { "workflow_type", "workflow_type.name" },
        { "workflow_id", "StartWorkflowExecutionRequest.workflow_id" },
        { "task_queue", "task_queue.name" },
        { "keyword_value", "CustomerId" },
        { "keyword_value_lone_surrogate", "CustomerId" },
        { "search_attribute_name", "search_attributes.indexed_fields key" },
        { "memo_key", "memo.fields key" },
    };

    [Theory]
    [MemberData(nameof(BadStarts))]
    public async Task StartWorkflow_UnstorableString_InvalidArgumentNamingTheFieldAndListsStillWork(string field, string named)
    {
        var workflowId = ServerFixture.NewWorkflowId("nul-start");
        var request = StartRequest(workflowId);
        switch (field)
        {
            case "workflow_type":
                request.WorkflowType.Name = "Order\0Workflow";
                break;
            case "workflow_id":
                request.WorkflowId = workflowId + "\0";
                break;
            case "task_queue":
                request.TaskQueue.Name += "\0";
                break;
            case "keyword_value":
                request.SearchAttributes = Keyword("CustomerId", "\"c-\\u0000-42\"");
                break;
            case "keyword_value_lone_surrogate":
                request.SearchAttributes = Keyword("CustomerId", "\"c-\\ud800\"");
                break;
            case "search_attribute_name":
                request.SearchAttributes = Keyword("Customer\0Id", "\"c-42\"");
                break;
            case "memo_key":
                request.Memo = new Memo { Fields = { ["note\0"] = Json("\"x\"") } };
                break;
        }

        var e = await Assert.ThrowsAsync<RpcException>(() => Raw.StartWorkflowExecutionAsync(request));

        Assert.Equal(RpcException.StatusCode.InvalidArgument, e.Code);
        Assert.Contains(named, e.Message, StringComparison.Ordinal);
        Assert.Contains(field.EndsWith("surrogate", StringComparison.Ordinal) ? "unpaired UTF-16 surrogate" : "NUL", e.Message, StringComparison.Ordinal);
        await AssertListingWorksAsync();
    }

    [Fact]
    public async Task RegisterNamespace_NulInName_InvalidArgumentAndListsStillWork()
    {
        var name = ServerFixture.NewWorkflowId("ns-nul") + "\0";

        var e = await Assert.ThrowsAsync<RpcException>(() => Raw.RegisterNamespaceAsync(new RegisterNamespaceRequest
        {
            Namespace = name,
            WorkflowExecutionRetentionPeriod = Duration.FromTimeSpan(TimeSpan.FromDays(1)),
        }));

        Assert.Equal(RpcException.StatusCode.InvalidArgument, e.Code);
        Assert.Contains("RegisterNamespaceRequest.namespace contains a NUL character (U+0000)", e.Message, StringComparison.Ordinal);
        var listed = await Raw.ListNamespacesAsync(new ListNamespacesRequest { PageSize = 1000 });
        Assert.DoesNotContain(listed.Namespaces, n => n.NamespaceInfo.Name.Contains('\0', StringComparison.Ordinal));
        await AssertListingWorksAsync();
    }

    [Fact]
    public async Task UpsertSearchAttributes_NulInKeywordValue_WorkflowTaskFailedBadSearchAttributes()
    {
        var taskQueue = ServerFixture.NewTaskQueue("nul-upsert");
        var workflowId = ServerFixture.NewWorkflowId("nul-upsert");
        using var worker = new TemporalWorker(fixture.Client, new TemporalWorkerOptions(taskQueue).AddWorkflow<NulUpsertWorkflow>());
        await worker.ExecuteAsync(async () =>
        {
            var handle = await fixture.Client.StartWorkflowAsync((NulUpsertWorkflow wf) => wf.RunAsync(), new WorkflowOptions(workflowId, taskQueue));

            var events = await Wait.ForHistoryEventAsync(handle, EventType.WorkflowTaskFailed);

            var failed = events.First(ev => ev.EventType == EventType.WorkflowTaskFailed).WorkflowTaskFailedEventAttributes;
            Assert.Equal(WorkflowTaskFailedCause.BadSearchAttributes, failed.Cause);
            Assert.Contains("CustomerId", failed.Failure.Message, StringComparison.Ordinal);
            Assert.Contains("NUL", failed.Failure.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(events, ev => ev.EventType == EventType.UpsertWorkflowSearchAttributes);
            await AssertListingWorksAsync();
            await handle.TerminateAsync("unstorable search attribute");
        });
    }

    [Fact]
    public async Task WorkflowTaskCommand_NulInChildWorkflowId_WorkflowTaskFailedWithTheCommandsCause()
    {
        var taskQueue = ServerFixture.NewTaskQueue("nul-child");
        var workflowId = ServerFixture.NewWorkflowId("nul-child");
        var request = StartRequest(workflowId);
        request.TaskQueue.Name = taskQueue;
        await Raw.StartWorkflowExecutionAsync(request);
        var task = await RawWorker.PollWorkflowTaskAsync(fixture.Client, taskQueue);
        Assert.False(task.TaskToken.IsEmpty, "no workflow task was polled");

        var e = await Assert.ThrowsAsync<RpcException>(() => Raw.RespondWorkflowTaskCompletedAsync(RawWorker.Completion(task.TaskToken, new Command
        {
            CommandType = CommandType.StartChildWorkflowExecution,
            StartChildWorkflowExecutionCommandAttributes = new StartChildWorkflowExecutionCommandAttributes
            {
                WorkflowId = "child\0",
                WorkflowType = new WorkflowType { Name = "Child" },
                TaskQueue = RawWorker.NormalQueue(taskQueue),
            },
        })));

        Assert.Equal(RpcException.StatusCode.InvalidArgument, e.Code);
        Assert.Contains("commands[0].start_child_workflow_execution_command_attributes.workflow_id contains a NUL", e.Message, StringComparison.Ordinal);
        var events = await Wait.ForHistoryEventAsync(fixture.Client.GetWorkflowHandle(workflowId), EventType.WorkflowTaskFailed);
        var failed = events.First(ev => ev.EventType == EventType.WorkflowTaskFailed).WorkflowTaskFailedEventAttributes;
        Assert.Equal(WorkflowTaskFailedCause.BadStartChildExecutionAttributes, failed.Cause);
        Assert.DoesNotContain(events, ev => ev.EventType == EventType.StartChildWorkflowExecutionInitiated);
        await fixture.Client.GetWorkflowHandle(workflowId).TerminateAsync("unstorable child id");
    }

    [Fact]
    public async Task RespondWorkflowTaskFailed_NulInFailureMessage_AcceptedAsTemporalDoes()
    {
        // An exception's message and stack trace live only inside history blobs, where a NUL is harmless.
        var taskQueue = ServerFixture.NewTaskQueue("nul-failure");
        var workflowId = ServerFixture.NewWorkflowId("nul-failure");
        var request = StartRequest(workflowId);
        request.TaskQueue.Name = taskQueue;
        await Raw.StartWorkflowExecutionAsync(request);
        var task = await RawWorker.PollWorkflowTaskAsync(fixture.Client, taskQueue);

        await Raw.RespondWorkflowTaskFailedAsync(RawWorker.Failure(task.TaskToken, "bad byte \0 in input"));

        var events = await Wait.ForHistoryEventAsync(fixture.Client.GetWorkflowHandle(workflowId), EventType.WorkflowTaskFailed);
        Assert.Equal("bad byte \0 in input", events.First(ev => ev.EventType == EventType.WorkflowTaskFailed).WorkflowTaskFailedEventAttributes.Failure.Message);
        await fixture.Client.GetWorkflowHandle(workflowId).TerminateAsync("done");
    }

    /// <summary>Lists and counts answer in both namespaces, and a run started now is listed (the outbox is not blocked).</summary>
    private async Task AssertListingWorksAsync()
    {
        var workflowId = ServerFixture.NewWorkflowId("after-nul");
        var other = await ServerFixture.ConnectAsync(fixture.Server, ServerFixture.ExtraNamespace);
        var request = StartRequest(workflowId);
        request.Namespace = ServerFixture.ExtraNamespace;
        await other.Connection.WorkflowService.StartWorkflowExecutionAsync(request);

        // Another replica may own the run's shard and apply its row: lists are read-your-writes on one replica only.
        await Wait.UntilAsync(() => other.CountWorkflowsAsync($"WorkflowId = '{workflowId}'"), c => c.Count == 1, "the new run to be counted");
        var listed = new List<string>();
        await foreach (var run in other.ListWorkflowsAsync($"WorkflowId = '{workflowId}'"))
        {
            listed.Add(run.Id);
        }
        Assert.Equal([workflowId], listed);
        await foreach (var _ in fixture.Client.ListWorkflowsAsync("ExecutionStatus = 'Running'", new WorkflowListOptions { Limit = 5 }))
        {
        }
        await other.GetWorkflowHandle(workflowId).TerminateAsync("done");
    }

    private static SearchAttributes Keyword(string name, string json) => new() { IndexedFields = { [name] = Json(json) } };

    private static Payload Json(string json) => new()
    {
        Metadata = { ["encoding"] = ByteString.CopyFromUtf8("json/plain") },
        Data = ByteString.CopyFromUtf8(json),
    };

    private static StartWorkflowExecutionRequest StartRequest(string workflowId) => new()
    {
        Namespace = "default",
        WorkflowId = workflowId,
        WorkflowType = new WorkflowType { Name = "NoSuchWorkflow" },
        TaskQueue = new Temporalio.Api.TaskQueue.V1.TaskQueue { Name = ServerFixture.NewTaskQueue("nul") },
        RequestId = Guid.NewGuid().ToString(),
        Identity = "e2e-test",
    };
}

/// <summary>Upserts a Keyword value with a NUL character, then waits: the server fails its workflow task.</summary>
[Workflow]
public sealed class NulUpsertWorkflow
{
    private static readonly SearchAttributeKey<string> CustomerId = SearchAttributeKey.CreateKeyword("CustomerId");

    [WorkflowRun]
    public async Task RunAsync()
    {
        Workflow.UpsertTypedSearchAttributes(CustomerId.ValueSet("c-\0-42"));
        await Workflow.WaitConditionAsync(() => false);
    }
}
