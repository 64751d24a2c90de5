using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;
using static Tempora.EndToEnd.Tests.Deployments.DeploymentCalls;

namespace Tempora.EndToEnd.Tests.Deployments;

/// <summary>
/// Drainage, computed when a deployment is read: a version no longer current drains, and once the grace period has
/// passed with no running pinned workflow it is DRAINED and, without recent pollers, may be deleted. On a server of
/// its own whose grace period, refresh interval and poller window are a second.
/// </summary>
public sealed class WorkerDeploymentDrainageTests
{
    [Fact]
    public async Task ADrainingVersion_IsDrainedAfterTheGracePeriod_ThenDeletable_AndListPages()
    {
        await using var server = await OwnServer.StartAsync("drainage", o => o with
        {
            WorkerDeployments = new()
            {
                DrainageGracePeriod = TimeSpan.FromSeconds(1),
                DrainageRefreshInterval = TimeSpan.FromSeconds(1),
                PollerActivityWindow = TimeSpan.FromSeconds(1),
            },
        });
        var client = server.Client;
        var service = client.Connection.WorkflowService;
        var taskQueue = ServerFixture.NewTaskQueue("drain");
        await PollAsync(client, "drain", "b1", taskQueue);
        await PollAsync(client, "drain", "b2", taskQueue);
        await service.SetWorkerDeploymentCurrentVersionAsync(new() { Namespace = "default", DeploymentName = "drain", BuildId = "b1", Identity = "t" });
        await service.SetWorkerDeploymentCurrentVersionAsync(new() { Namespace = "default", DeploymentName = "drain", BuildId = "b2", Identity = "t" });
        var draining = Summary(await DescribeAsync(client, "drain"), "b1");
        Assert.Equal(VersionDrainageStatus.Draining, draining.DrainageInfo.Status);

        var drained = await Wait.UntilAsync(async () => Summary(await DescribeAsync(client, "drain"), "b1"),
            s => s.Status == WorkerDeploymentVersionStatus.Drained, "the version to be drained");
        Assert.Equal(VersionDrainageStatus.Drained, drained.DrainageInfo.Status);
        Assert.True(drained.DrainageInfo.LastCheckedTime.ToDateTimeOffset() >= draining.DrainageInfo.LastChangedTime.ToDateTimeOffset());

        await service.DeleteWorkerDeploymentVersionAsync(new()
        {
            Namespace = "default",
            DeploymentVersion = new() { DeploymentName = "drain", BuildId = "b1" },
        });
        Assert.Equal(["b2"], (await DescribeAsync(client, "drain")).WorkerDeploymentInfo.VersionSummaries.Select(s => s.DeploymentVersion.BuildId));

        await PollAsync(client, "another", "b1", taskQueue);
        var first = await service.ListWorkerDeploymentsAsync(new ListWorkerDeploymentsRequest { Namespace = "default", PageSize = 1 });
        var second = await service.ListWorkerDeploymentsAsync(new ListWorkerDeploymentsRequest
        {
            Namespace = "default",
            PageSize = 1,
            NextPageToken = first.NextPageToken,
        });
        Assert.Equal(["another", "drain"], first.WorkerDeployments.Concat(second.WorkerDeployments).Select(d => d.Name));
        Assert.True(second.NextPageToken.IsEmpty);
        Assert.Equal("b2", second.WorkerDeployments[0].CurrentVersionSummary.DeploymentVersion.BuildId);
    }
}
