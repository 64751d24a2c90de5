using Temporalio.Api.Enums.V1;
using static Tempora.EndToEnd.Tests.Deployments.DeploymentCalls;

namespace Tempora.EndToEnd.Tests.Deployments;

/// <summary>
/// Two replicas on one PostgreSQL database share the deployment rows: versioned polls racing through both register a
/// version once, and a change made through one is what the other describes.
/// </summary>
[Collection(nameof(ReplicaTests))]
[Trait("Store", "PostgresOnly")]
public sealed class WorkerDeploymentReplicaTests : IDisposable
{
    private readonly TestDatabase _db = new("deployment_replicas", postgres: true);

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task RegistrationsRacingThroughBothReplicas_AddTheVersionOnce_AndASetThroughOneIsDescribedByTheOther()
    {
        var options = _db.Apply(new Tempora.Server.TemporaOptions { Ip = "127.0.0.1", Port = 0, MetricsPort = 0, Headless = true });
        await using var first = await ServerFixture.StartServerAsync(options, "deployment-replica-first");
        await using var second = await ServerFixture.StartServerAsync(options, "deployment-replica-second");
        var firstClient = await ServerFixture.ConnectAsync(first);
        var secondClient = await ServerFixture.ConnectAsync(second);
        var taskQueue = ServerFixture.NewTaskQueue("dep-replicas");

        await Task.WhenAll(Enumerable.Range(0, 4).SelectMany(_ => new[]
        {
            PollAsync(firstClient, "replicated", "b1", taskQueue),
            PollAsync(secondClient, "replicated", "b1", taskQueue),
            PollAsync(firstClient, "replicated", "b2", taskQueue, TaskQueueType.Activity),
            PollAsync(secondClient, "replicated", "b2", taskQueue, TaskQueueType.Activity),
        }));
        var described = await DescribeAsync(secondClient, "replicated");
        Assert.Equal(["b1", "b2"], described.WorkerDeploymentInfo.VersionSummaries.Select(s => s.DeploymentVersion.BuildId).Order());
        var version = await secondClient.WorkflowService.DescribeWorkerDeploymentVersionAsync(new()
        {
            Namespace = "default",
            DeploymentVersion = new() { DeploymentName = "replicated", BuildId = "b1" },
        });
        Assert.Single(version.WorkerDeploymentVersionInfo.TaskQueueInfos);

        var set = await firstClient.WorkflowService.SetWorkerDeploymentCurrentVersionAsync(new()
        {
            Namespace = "default",
            DeploymentName = "replicated",
            BuildId = "b2",
            ConflictToken = described.ConflictToken,
            Identity = "first",
        });
        var seen = await DescribeAsync(secondClient, "replicated");
        Assert.Equal((set.ConflictToken, "b2", "first"), (seen.ConflictToken,
            seen.WorkerDeploymentInfo.RoutingConfig.CurrentDeploymentVersion.BuildId, seen.WorkerDeploymentInfo.LastModifierIdentity));
    }
}
