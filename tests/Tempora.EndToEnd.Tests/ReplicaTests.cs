using System.Net;
using Tempora.Core;
using Tempora.Server;
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

    private static string WorkflowIdOnShards(string namespaceId, IReadOnlyCollection<int> shards, string prefix)
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
