using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Worker;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// Custom search attributes must be registered in the namespace and values must have the registered type: refused at
/// start (InvalidArgument), and an upsert from workflow code fails the workflow task (BadSearchAttributes). Runs in the
/// seeded server's second namespace, so the seeded counts of <c>default</c> stay exact.
/// </summary>
[Collection(VisibilityCollection.Name)]
public sealed class VisibilitySearchAttributeValidationTests(VisibilityFixture fixture)
{
    private const string TaskQueue = "vis-validation";

    public static TheoryData<string> BadStartAttributes => new()
    {
        "unregistered",
        "registered-in-another-namespace",
        "keyword-into-int",
        "long-into-bool",
        "double-into-int",
        "text-into-datetime",
        "long-into-keyword-list",
    };

    [Theory]
    [MemberData(nameof(BadStartAttributes))]
    public async Task StartWorkflow_UnregisteredOrWrongTypedAttribute_InvalidArgumentAndNoRun(string kind)
    {
        var client = await ServerFixture.ConnectAsync(fixture.Server, VisibilityFixture.OtherNamespace);
        var (attributes, name) = kind switch
        {
            "unregistered" => (new SearchAttributeCollection.Builder().Set(VisUpsertUnknownWorkflow.UnknownKey, "x"), "VisNeverRegistered"),
            "registered-in-another-namespace" => (new SearchAttributeCollection.Builder().Set(VisibilityFixture.RegionKey, "eu"), "VisRegion"),
            "keyword-into-int" => (new SearchAttributeCollection.Builder().Set(SearchAttributeKey.CreateKeyword("VisInt"), "abc"), "VisInt"),
            "long-into-bool" => (new SearchAttributeCollection.Builder().Set(SearchAttributeKey.CreateLong("VisBool"), 1L), "VisBool"),
            "double-into-int" => (new SearchAttributeCollection.Builder().Set(SearchAttributeKey.CreateDouble("VisInt"), 1.5), "VisInt"),
            "text-into-datetime" => (new SearchAttributeCollection.Builder().Set(SearchAttributeKey.CreateText("VisDatetime"), "not a date"), "VisDatetime"),
            "long-into-keyword-list" => (new SearchAttributeCollection.Builder().Set(SearchAttributeKey.CreateLong("VisKeywordList"), 3L), "VisKeywordList"),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        var workflowId = ServerFixture.NewWorkflowId("sa-check");

        var e = await Assert.ThrowsAsync<RpcException>(() => client.StartWorkflowAsync(
            (VisQuickWorkflow wf) => wf.RunAsync(0, false),
            new WorkflowOptions(workflowId, TaskQueue)
            {
                TypedSearchAttributes = attributes.Set(VisibilityFixture.KeywordKey, "fine").ToSearchAttributeCollection(),
            }));

        Assert.Equal(RpcException.StatusCode.InvalidArgument, e.Code);
        Assert.Contains(name, e.Message, StringComparison.Ordinal);
        Assert.Equal(0, (await client.CountWorkflowsAsync($"WorkflowId = '{workflowId}'")).Count);
        var describe = await Assert.ThrowsAsync<RpcException>(() => client.GetWorkflowHandle(workflowId).DescribeAsync());
        Assert.Equal(RpcException.StatusCode.NotFound, describe.Code);
    }

    [Fact]
    public async Task StartWorkflow_RegisteredAttributesOfEveryType_AcceptedAndListed()
    {
        var client = await ServerFixture.ConnectAsync(fixture.Server, VisibilityFixture.OtherNamespace);
        var workflowId = ServerFixture.NewWorkflowId("sa-check");
        var when = new DateTimeOffset(2030, 5, 6, 7, 8, 9, 123, TimeSpan.FromHours(2));
        using var worker = new TemporalWorker(client, VisibilityFixture.AddWorkflows(new TemporalWorkerOptions(TaskQueue)));
        await worker.ExecuteAsync(async () =>
        {
            await client.ExecuteWorkflowAsync((VisQuickWorkflow wf) => wf.RunAsync(5, false), new WorkflowOptions(workflowId, TaskQueue)
            {
                TypedSearchAttributes = new SearchAttributeCollection.Builder()
                    .Set(VisibilityFixture.KeywordKey, "ok")
                    .Set(VisibilityFixture.TextKey, "all good")
                    .Set(VisibilityFixture.IntKey, 5)
                    .Set(VisibilityFixture.DoubleKey, 0.1)
                    .Set(VisibilityFixture.BoolKey, true)
                    .Set(VisibilityFixture.DatetimeKey, when)
                    .Set(VisibilityFixture.KeywordListKey, ["a", "b"])
                    .ToSearchAttributeCollection(),
            }).WithTimeout("workflow with every attribute type");
        });

        var query = $"WorkflowId = '{workflowId}' AND VisKeyword = 'ok' AND VisText = 'good' AND VisInt = 5 AND VisDouble = 0.1 "
            + "AND VisBool = true AND VisDatetime = '2030-05-06T05:08:09.123Z' AND VisKeywordList = 'b' AND VisStage IS NULL";
        var listed = new List<WorkflowExecution>();
        await foreach (var execution in client.ListWorkflowsAsync(query))
        {
            listed.Add(execution);
        }
        var run = Assert.Single(listed);
        Assert.Equal(WorkflowExecutionStatus.Completed, run.Status);
        Assert.Equal(when, run.TypedSearchAttributes.Get(VisibilityFixture.DatetimeKey));
        Assert.Equal(0.1, run.TypedSearchAttributes.Get(VisibilityFixture.DoubleKey));
    }

    [Theory]
    [InlineData(false, "VisNeverRegistered")]
    [InlineData(true, "VisInt")]
    public async Task UpsertFromWorkflow_UnregisteredOrWrongType_WorkflowTaskFailedBadSearchAttributes(bool wrongType, string name)
    {
        var client = await ServerFixture.ConnectAsync(fixture.Server, VisibilityFixture.OtherNamespace);
        var workflowId = ServerFixture.NewWorkflowId("sa-upsert");
        using var worker = new TemporalWorker(client, VisibilityFixture.AddWorkflows(new TemporalWorkerOptions(TaskQueue + "-upsert")));
        await worker.ExecuteAsync(async () =>
        {
            var handle = await client.StartWorkflowAsync((VisUpsertUnknownWorkflow wf) => wf.RunAsync(wrongType), new WorkflowOptions(workflowId, TaskQueue + "-upsert")
            {
                TypedSearchAttributes = new SearchAttributeCollection.Builder().Set(VisibilityFixture.KeywordKey, "before").ToSearchAttributeCollection(),
            });
            var events = await Wait.ForHistoryEventAsync(handle, EventType.WorkflowTaskFailed);
            var failed = events.First(ev => ev.EventType == EventType.WorkflowTaskFailed).WorkflowTaskFailedEventAttributes;
            Assert.Equal(WorkflowTaskFailedCause.BadSearchAttributes, failed.Cause);
            Assert.Contains(name, failed.Failure.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(events, ev => ev.EventType == EventType.UpsertWorkflowSearchAttributes);

            // Still running, with only the attributes it started with.
            var description = await handle.DescribeAsync();
            Assert.Equal(WorkflowExecutionStatus.Running, description.Status);
            Assert.Equal("before", description.TypedSearchAttributes.Get(VisibilityFixture.KeywordKey));
            Assert.DoesNotContain(description.TypedSearchAttributes.UntypedValues.Keys, k => k.Name == "VisNeverRegistered");
            Assert.Equal(1, (await client.CountWorkflowsAsync($"WorkflowId = '{workflowId}' AND ExecutionStatus = 'Running' AND VisKeyword = 'before'")).Count);

            await handle.TerminateAsync("bad search attributes");
        });

        Assert.Equal(1, (await client.CountWorkflowsAsync($"WorkflowId = '{workflowId}' AND ExecutionStatus = 'Terminated'")).Count);
    }
}
