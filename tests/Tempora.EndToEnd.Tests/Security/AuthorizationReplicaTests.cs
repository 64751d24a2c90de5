using Tempora.Core;
using Temporalio.Api.Enums.V1;
using Tempora.Frontend.Authorization;
using Tempora.Server;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Exceptions;
using Temporalio.Worker;

namespace Tempora.EndToEnd.Tests.Security;

/// <summary>
/// Authorization on a cluster of two replicas: a request is authorized where it enters, and what the entry replica
/// forwards to a shard's owner (requests, polls) is served there without a token of its own.
/// </summary>
[Trait("Store", "PostgresOnly")]
public sealed class AuthorizationReplicaTests : IDisposable
{
    private readonly TestDatabase _db = new("authz_replicas", postgres: true);
    private readonly TestSigningKey _key = TestSigningKey.Rsa("replicas");

    [Fact]
    public async Task RequestsThroughOneReplica_AuthorizedAtEntry_ServedByTheOwner()
    {
        var jwks = Path.Combine(Path.GetDirectoryName(_db.DbFile)!, "jwks.json");
        await File.WriteAllTextAsync(jwks, TestSigningKey.Jwks([_key]));
        var options = _db.Apply(new TemporaOptions
        {
            Ip = "127.0.0.1",
            Port = 0,
            MetricsPort = 0,
            Headless = true,
            Authorization = new AuthorizationSettings
            {
                Authorizer = "default",
                ClaimMapper = "default",
                KeySourceUris = [new Uri(jwks).AbsoluteUri],
            },
        });
        await using var first = await ServerFixture.StartServerAsync(options, "authz-replica-first");
        await using var second = await ServerFixture.StartServerAsync(options, "authz-replica-second");
        await Wait.UntilAsync(() => Task.FromResult((first.OwnedShards.Count, second.OwnedShards.Count)), c => c == (2, 2), "a 2/2 split");

        var writer = await ConnectAsync(first, _key.Token("writer", ["default:write"]));
        var reader = await ConnectAsync(first, _key.Token("reader", ["default:read"]));
        var namespaceId = (await writer.WorkflowService.DescribeNamespaceAsync(new DescribeNamespaceRequest { Namespace = "default" })).NamespaceInfo.Id;
        var onSecond = WorkflowIdOn(namespaceId, second.OwnedShards);
        var taskQueue = ServerFixture.NewTaskQueue("authz-replicas");

        // The worker polls the first replica only; the run lives on the second: starts, polls and completions cross.
        using var worker = new TemporalWorker(writer, new TemporalWorkerOptions(taskQueue)
            .AddWorkflow<HelloWorkflow>().AddAllActivities(new GreetingActivities()));
        await worker.ExecuteAsync(async () =>
        {
            var handle = await writer.StartWorkflowAsync((HelloWorkflow wf) => wf.RunAsync("replicas"), new(onSecond, taskQueue));
            Assert.Equal("Hello, replicas!", await handle.GetResultAsync().WithTimeout("the workflow on the other replica"));
        });

        Assert.Equal(WorkflowExecutionStatus.Completed, (await reader.GetWorkflowHandle(onSecond).DescribeAsync()).Status);
        var e = await Assert.ThrowsAsync<RpcException>(() => reader.GetWorkflowHandle(onSecond).TerminateAsync("reader"));
        Assert.Equal(RpcException.StatusCode.PermissionDenied, e.Code);
    }

    private static Task<TemporalClient> ConnectAsync(TemporaServer server, string token) =>
        TemporalClient.ConnectAsync(new TemporalClientConnectOptions(server.GrpcAddress)
        {
            RpcMetadata = new Dictionary<string, string> { ["authorization"] = $"Bearer {token}" },
        });

    private static string WorkflowIdOn(string namespaceId, IReadOnlyCollection<int> shards)
    {
        while (true)
        {
            var id = ServerFixture.NewWorkflowId("authz-on-second");
            if (shards.Contains(Shards.Of(namespaceId, id, 4)))
            {
                return id;
            }
        }
    }

    public void Dispose()
    {
        _key.Dispose();
        _db.Dispose();
    }
}
