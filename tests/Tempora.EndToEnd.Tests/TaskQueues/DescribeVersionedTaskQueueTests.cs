using Tempora.EndToEnd.Tests.Deployments;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;

namespace Tempora.EndToEnd.Tests.TaskQueues;

/// <summary>
/// DescribeTaskQueue of a queue that worker deployment versions poll, as Temporal 1.28 answers it: the legacy view
/// lists every version's pollers and the queue's current version; the enhanced view selects a version by its
/// <c>name:build</c> string, and a build id that is no version is answered empty.
/// </summary>
#pragma warning disable CS0612 // the version-based (enhanced) view and the v0.31 strings are deprecated in the API, still served by 1.28
[Collection(ServerCollection.Name)]
public sealed class DescribeVersionedTaskQueueTests(ServerFixture fixture)
{
    private TemporalClient Client => fixture.Client;

    [Fact]
    public async Task Describe_QueueOfAVersion_ShowsItsPollersAndWhereNewTasksGo()
    {
        var deployment = $"describe-{Guid.NewGuid():N}"[..20];
        var taskQueue = ServerFixture.NewTaskQueue("versioned");
        await DeploymentCalls.PollAsync(Client, deployment, "b1", taskQueue);
        var token = await DeploymentCalls.TokenAsync(Client, deployment);
        await Client.WorkflowService.SetWorkerDeploymentCurrentVersionAsync(new()
        {
            Namespace = "default",
            DeploymentName = deployment,
            BuildId = "b1",
            ConflictToken = token,
            Identity = "test",
        });

        var legacy = await Client.WorkflowService.DescribeTaskQueueAsync(new()
        {
            Namespace = "default",
            TaskQueue = new() { Name = taskQueue },
        });
        Assert.Contains(legacy.Pollers, p => p.Identity == DeploymentCalls.Identity);
        Assert.Equal($"{deployment}.b1", legacy.VersioningInfo.CurrentVersion);
        Assert.Equal("b1", legacy.VersioningInfo.CurrentDeploymentVersion.BuildId);
        Assert.Equal("", legacy.VersioningInfo.RampingVersion);

        var enhanced = await Client.WorkflowService.DescribeTaskQueueAsync(new()
        {
            Namespace = "default",
            TaskQueue = new() { Name = taskQueue },
            ApiMode = DescribeTaskQueueMode.Enhanced,
            Versions = new() { BuildIds = { $"{deployment}:b1", "plain-build" }, Unversioned = true },
            TaskQueueTypes = { TaskQueueType.Workflow },
            ReportPollers = true,
        });
        Assert.Equal(new[] { "", $"{deployment}:b1", "plain-build" }.Order(StringComparer.Ordinal),
            enhanced.VersionsInfo.Keys.Order(StringComparer.Ordinal));
        Assert.Contains(enhanced.VersionsInfo[$"{deployment}:b1"].TypesInfo[(int)TaskQueueType.Workflow].Pollers,
            p => p.Identity == DeploymentCalls.Identity);
        Assert.Empty(enhanced.VersionsInfo[""].TypesInfo[(int)TaskQueueType.Workflow].Pollers);
        Assert.Empty(enhanced.VersionsInfo["plain-build"].TypesInfo[(int)TaskQueueType.Workflow].Pollers);

        var active = await Client.WorkflowService.DescribeTaskQueueAsync(new()
        {
            Namespace = "default",
            TaskQueue = new() { Name = taskQueue },
            ApiMode = DescribeTaskQueueMode.Enhanced,
            Versions = new() { AllActive = true },
            ReportPollers = true,
        });
        Assert.Contains($"{deployment}:b1", active.VersionsInfo.Keys);
    }
}
