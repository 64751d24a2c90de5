using System.Net;
using Google.Protobuf;
using Tempora.Core;
using Tempora.Server;
using Temporalio.Api.Command.V1;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.OperatorService.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Worker;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// Two servers on one PostgreSQL database are both active: each owns half of the shards, both are ready, and a
/// client of either reaches every workflow (requests go to the shard's owner, polls fan out). A graceful stop hands
/// the stopping server's shards to the other at once.
/// </summary>
[Collection(nameof(ReplicaTests))]
[Trait("Store", "PostgresOnly")]
public sealed class ReplicaTests : IDisposable
{
    private readonly TestDatabase _db = new("replicas", postgres: true);

    public void Dispose() => _db.Dispose();

    private TemporaOptions Options => _db.Apply(new TemporaOptions { Ip = "127.0.0.1", Port = 0, MetricsPort = 0, Headless = true });

    [Fact]
    public async Task BothReplicasServe_EachWorkflowThroughEither_AndAGracefulStopHandsTheShardsOver()
    {
        var first = await ServerFixture.StartServerAsync(Options, "replica-first");
        await using var second = await ServerFixture.StartServerAsync(Options, "replica-second");
        await Wait.UntilAsync(() => Task.FromResult((first.OwnedShards.Count, second.OwnedShards.Count)), c => c == (2, 2), "a 2/2 split");
        Assert.Empty(first.OwnedShards.Intersect(second.OwnedShards));

        // Both are ready: neither waits for the other.
        using var http = new HttpClient();
        foreach (var server in new[] { first, second })
        {
            using var ready = await http.GetAsync(new Uri($"http://{server.MetricsAddress}/health/ready"));
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        // A workflow on a shard of each server, started through the other one; the worker polls the second only.
        var firstClient = await ServerFixture.ConnectAsync(first);
        var secondClient = await ServerFixture.ConnectAsync(second);
        var namespaceId = (await firstClient.WorkflowService.DescribeNamespaceAsync(new DescribeNamespaceRequest { Namespace = "default" }))
            .NamespaceInfo.Id;
        var onFirst = WorkflowIdOnShards(namespaceId, first.OwnedShards, "on-first");
        var onSecond = WorkflowIdOnShards(namespaceId, second.OwnedShards, "on-second");
        var taskQueue = ServerFixture.NewTaskQueue("replicas");
        var started = new[]
        {
            await secondClient.StartWorkflowAsync((WaitForFinishWorkflow wf) => wf.RunAsync(), new(onFirst, taskQueue)),
            await firstClient.StartWorkflowAsync((WaitForFinishWorkflow wf) => wf.RunAsync(), new(onSecond, taskQueue)),
        };
        using var worker = new TemporalWorker(secondClient, new TemporalWorkerOptions(taskQueue).AddWorkflow<WaitForFinishWorkflow>());
        await worker.ExecuteAsync(async () =>
        {
            // Signals through the client that does not own the run, then the results read through both.
            await firstClient.GetWorkflowHandle(onSecond).SignalAsync((WaitForFinishWorkflow wf) => wf.FinishAsync("second"));
            Assert.Equal("second", await firstClient.GetWorkflowHandle(onSecond).GetResultAsync<string>().WithTimeout("the result via the first"));

            // The first stops gracefully with its workflow still open: the second owns every shard well before a
            // lease would have run out, and finishes the workflow.
            await ServerFixture.StopAsync(first);
            await Wait.UntilAsync(() => Task.FromResult(second.OwnedShards.Count), n => n == 4, "the handover", TimeSpan.FromSeconds(5));
            await secondClient.GetWorkflowHandle(onFirst).SignalAsync((WaitForFinishWorkflow wf) => wf.FinishAsync("first"));
            Assert.Equal("first", await secondClient.GetWorkflowHandle(onFirst).GetResultAsync<string>().WithTimeout("the result after the handover"));
        });
        Assert.Equal(started[0].ResultRunId, (await secondClient.GetWorkflowHandle(onFirst).DescribeAsync()).RunId);
    }

    [Fact]
    public async Task ASearchAttributeAddedThroughOneReplica_IsUsableAtOnceOnTheOther()
    {
        await using var first = await ServerFixture.StartServerAsync(Options, "replica-sa-first");
        await using var second = await ServerFixture.StartServerAsync(Options, "replica-sa-second");
        await Wait.UntilAsync(() => Task.FromResult((first.OwnedShards.Count, second.OwnedShards.Count)), c => c == (2, 2), "a 2/2 split");
        var firstClient = await ServerFixture.ConnectAsync(first);
        var secondClient = await ServerFixture.ConnectAsync(second);
        var namespaceId = (await secondClient.WorkflowService.DescribeNamespaceAsync(new DescribeNamespaceRequest { Namespace = "default" }))
            .NamespaceInfo.Id;
        var taskQueue = ServerFixture.NewTaskQueue("replica-sa");

        // The second caches the namespace (a run starting on its shard), then the attribute is added through the first.
        var upserting = WorkflowIdOnShards(namespaceId, second.OwnedShards, "replica-sa-upsert");
        await secondClient.WorkflowService.StartWorkflowExecutionAsync(Start(upserting, taskQueue, null));
        await firstClient.OperatorService.AddSearchAttributesAsync(new AddSearchAttributesRequest
        {
            Namespace = "default",
            SearchAttributes = { ["ReplicaColour"] = IndexedValueType.Keyword },
        });

        // Within the second's 10 s namespace refresh, a workflow's upsert and a start on its shards both take it.
        var task = await RawWorker.PollWorkflowTaskAsync(secondClient, taskQueue).WithTimeout("a workflow task");
        var upsert = new Command
        {
            CommandType = CommandType.UpsertWorkflowSearchAttributes,
            UpsertWorkflowSearchAttributesCommandAttributes = new() { SearchAttributes = new SearchAttributes { IndexedFields = { ["ReplicaColour"] = Keyword("green") } } },
        };
        await secondClient.WorkflowService.RespondWorkflowTaskCompletedAsync(
            RawWorker.Completion(task.TaskToken, upsert, RawWorker.CompleteCommand("done")));

        var history = await secondClient.GetWorkflowHandle(upserting).EventsAsync();
        Assert.Equal(EventType.WorkflowExecutionCompleted, history[^1].EventType);
        Assert.Contains(history, e => e.EventType == EventType.UpsertWorkflowSearchAttributes);

        // A second attribute (the upsert refreshed the second's copy), this time given to a start.
        await firstClient.OperatorService.AddSearchAttributesAsync(new AddSearchAttributesRequest
        {
            Namespace = "default",
            SearchAttributes = { ["ReplicaShade"] = IndexedValueType.Keyword },
        });
        var attributes = new SearchAttributes { IndexedFields = { ["ReplicaShade"] = Keyword("dark") } };
        var started = WorkflowIdOnShards(namespaceId, second.OwnedShards, "replica-sa-start");
        await secondClient.WorkflowService.StartWorkflowExecutionAsync(Start(started, taskQueue, attributes));
        var description = await secondClient.GetWorkflowHandle(started).DescribeRawAsync();
        Assert.True(description.WorkflowExecutionInfo.SearchAttributes.IndexedFields.ContainsKey("ReplicaShade"));
    }

    [Fact]
    public async Task AWorkflowStartedOnTheOtherReplicasShard_IsCountedAtOnce()
    {
        await using var first = await ServerFixture.StartServerAsync(Options, "replica-list-first");
        await using var second = await ServerFixture.StartServerAsync(Options, "replica-list-second");
        await Wait.UntilAsync(() => Task.FromResult((first.OwnedShards.Count, second.OwnedShards.Count)), c => c == (2, 2), "a 2/2 split");
        var client = await ServerFixture.ConnectAsync(first);
        var namespaceId = (await client.WorkflowService.DescribeNamespaceAsync(new DescribeNamespaceRequest { Namespace = "default" }))
            .NamespaceInfo.Id;

        // The second commits each run and applies its outbox row soon after; a count through the first, made as soon as
        // the start is acknowledged, used to miss it most of the time (the first waited only for its own writes).
        for (var i = 0; i < 10; i++)
        {
            var workflowId = WorkflowIdOnShards(namespaceId, second.OwnedShards, "replica-list");
            await client.WorkflowService.StartWorkflowExecutionAsync(Start(workflowId, ServerFixture.NewTaskQueue("replica-list"), null));

            Assert.Equal(1, (await client.CountWorkflowsAsync($"WorkflowId = '{workflowId}'")).Count);
        }
    }

    private static StartWorkflowExecutionRequest Start(string workflowId, string taskQueue, SearchAttributes? attributes) => new()
    {
        Namespace = "default",
        WorkflowId = workflowId,
        WorkflowType = new WorkflowType { Name = "ReplicaSearchAttributeWorkflow" },
        TaskQueue = RawWorker.NormalQueue(taskQueue),
        RequestId = Guid.NewGuid().ToString(),
        Identity = RawWorker.Identity,
        SearchAttributes = attributes,
    };

    private static Payload Keyword(string value) => new()
    {
        Metadata = { ["encoding"] = ByteString.CopyFromUtf8("json/plain"), ["type"] = ByteString.CopyFromUtf8("Keyword") },
        Data = ByteString.CopyFromUtf8($"\"{value}\""),
    };

    internal static string WorkflowIdOnShards(string namespaceId, IReadOnlyCollection<int> shards, string prefix)
    {
        while (true)
        {
            var id = ServerFixture.NewWorkflowId(prefix);
            if (shards.Contains(Shards.Of(namespaceId, id, 4)))
            {
                return id;
            }
        }
    }
}
