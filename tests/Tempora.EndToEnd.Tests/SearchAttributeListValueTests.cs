using Google.Protobuf;
using Temporalio.Api.Command.V1;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.OperatorService.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Exceptions;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// A value of a scalar search attribute type may come as a JSON list of that type, as the TypeScript SDK's untyped
/// searchAttributes send every value (<c>[3]</c> with type metadata "Int"). Temporal decodes a one-element list to its
/// element on SQL visibility stores and refuses longer lists there (common/searchattribute/encode_value.go
/// decodeValueTyped with allowList false, which common/persistence/visibility/defs.go AllowListForValidation sets for
/// SQLite, MySQL and PostgreSQL), so a filter like <c>DevListInt = 3</c> finds the run.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class SearchAttributeListValueTests(ServerFixture fixture)
{
    private static readonly (string Name, IndexedValueType Type, string Metadata, string Json, string Filter)[] Scalars =
    [
        ("DevListInt", IndexedValueType.Int, "Int", "[3]", "DevListInt = 3"),
        ("DevListDouble", IndexedValueType.Double, "Double", "[1.5]", "DevListDouble = 1.5"),
        ("DevListBool", IndexedValueType.Bool, "Bool", "[true]", "DevListBool = true"),
        ("DevListKeyword", IndexedValueType.Keyword, "Keyword", "[\"k-1\"]", "DevListKeyword = 'k-1'"),
        ("DevListText", IndexedValueType.Text, "Text", "[\"hello world\"]", "DevListText = 'world'"),
        ("DevListDatetime", IndexedValueType.Datetime, "Datetime", "[\"2030-05-06T07:08:09Z\"]", "DevListDatetime = '2030-05-06T07:08:09Z'"),
    ];

    private TemporalClient Client => fixture.Client;

    [Fact]
    public async Task StartWorkflow_ScalarAttributesAsOneElementLists_AcceptedAndFilterable()
    {
        await RegisterAsync();
        var workflowId = ServerFixture.NewWorkflowId("sa-list");
        var attributes = new SearchAttributes();
        foreach (var (name, _, metadata, json, _) in Scalars)
        {
            attributes.IndexedFields[name] = Json(json, metadata);
        }

        var started = await Client.Connection.WorkflowService.StartWorkflowExecutionAsync(Start(workflowId, attributes));

        var filter = $"WorkflowId = '{workflowId}' AND " + string.Join(" AND ", Scalars.Select(s => s.Filter));
        Assert.Equal(1, (await Client.CountWorkflowsAsync(filter)).Count);
        foreach (var (_, _, _, _, single) in Scalars)
        {
            Assert.Equal(1, (await Client.CountWorkflowsAsync($"WorkflowId = '{workflowId}' AND {single}")).Count);
        }
        await Client.GetWorkflowHandle(workflowId, runId: started.RunId).TerminateAsync("done");
    }

    [Fact]
    public async Task StartWorkflow_ScalarAttributeAsLongerList_InvalidArgument()
    {
        await RegisterAsync();
        var workflowId = ServerFixture.NewWorkflowId("sa-list");
        var attributes = new SearchAttributes { IndexedFields = { ["DevListInt"] = Json("[3, 4]", "Int") } };

        var e = await Assert.ThrowsAsync<RpcException>(() =>
            Client.Connection.WorkflowService.StartWorkflowExecutionAsync(Start(workflowId, attributes)));

        Assert.Equal(RpcException.StatusCode.InvalidArgument, e.Code);
        Assert.Contains("DevListInt", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpsertSearchAttributes_IntAsOneElementList_AppliedAndFilterable()
    {
        await RegisterAsync();
        var taskQueue = ServerFixture.NewTaskQueue("sa-list-upsert");
        var workflowId = ServerFixture.NewWorkflowId("sa-list");
        await Client.Connection.WorkflowService.StartWorkflowExecutionAsync(Start(workflowId, null, taskQueue));

        var task = await RawWorker.PollWorkflowTaskAsync(Client, taskQueue).WithTimeout("the first workflow task");
        Assert.False(task.TaskToken.IsEmpty, "the poll should hand out the first workflow task");
        var upsert = new Command
        {
            CommandType = CommandType.UpsertWorkflowSearchAttributes,
            UpsertWorkflowSearchAttributesCommandAttributes = new UpsertWorkflowSearchAttributesCommandAttributes
            {
                SearchAttributes = new SearchAttributes { IndexedFields = { ["DevListInt"] = Json("[7]", "Int") } },
            },
        };
        await Client.Connection.WorkflowService.RespondWorkflowTaskCompletedAsync(
            RawWorker.Completion(task.TaskToken, upsert, RawWorker.CompleteCommand("done")));

        var handle = Client.GetWorkflowHandle(workflowId);
        var events = await handle.EventsAsync();
        Assert.DoesNotContain(events, e => e.EventType == EventType.WorkflowTaskFailed);
        Assert.Contains(events, e => e.EventType == EventType.UpsertWorkflowSearchAttributes);
        Assert.Equal(EventType.WorkflowExecutionCompleted, events[^1].EventType);
        Assert.Equal(1, (await Client.CountWorkflowsAsync($"WorkflowId = '{workflowId}' AND DevListInt = 7")).Count);
    }

    private async Task RegisterAsync()
    {
        var request = new AddSearchAttributesRequest { Namespace = Client.Options.Namespace };
        foreach (var (name, type, _, _, _) in Scalars)
        {
            request.SearchAttributes[name] = type;
        }
        await Client.Connection.OperatorService.AddSearchAttributesAsync(request);
    }

    private StartWorkflowExecutionRequest Start(string workflowId, SearchAttributes? attributes, string? taskQueue = null) => new()
    {
        Namespace = Client.Options.Namespace,
        WorkflowId = workflowId,
        WorkflowType = new WorkflowType { Name = "SearchAttributeListWorkflow" },
        TaskQueue = RawWorker.NormalQueue(taskQueue ?? ServerFixture.NewTaskQueue("sa-list-nobody")),
        RequestId = Guid.NewGuid().ToString(),
        Identity = RawWorker.Identity,
        SearchAttributes = attributes,
    };

    /// <summary>A JSON payload with the search attribute type in its metadata, as the SDKs encode one.</summary>
    private static Payload Json(string json, string type) => new()
    {
        Metadata =
        {
            ["encoding"] = ByteString.CopyFromUtf8("json/plain"),
            ["type"] = ByteString.CopyFromUtf8(type),
        },
        Data = ByteString.CopyFromUtf8(json),
    };
}
