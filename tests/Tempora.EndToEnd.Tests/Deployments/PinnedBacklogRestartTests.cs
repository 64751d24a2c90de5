using Tempora.Server;
using Temporalio.Client;
using Temporalio.Common;
using Temporalio.Worker;

namespace Tempora.EndToEnd.Tests.Deployments;

/// <summary>
/// A pinned run's task waiting in the backlog keeps its version across a restart (the task row's pinned_version):
/// here the version is not the queue's current one (there is none), so only that version's pollers can take it.
/// </summary>
[Collection(nameof(PinnedBacklogRestartTests))]
public sealed class PinnedBacklogRestartTests : IDisposable
{
    private readonly TestDatabase _database = new("pinned-restart");

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task Restart_TaskOfARunPinnedToAVersionThatIsNotCurrent_IsTakenByThatVersionsWorker()
    {
        var deployment = $"restart-{Guid.NewGuid():N}"[..20];
        var taskQueue = ServerFixture.NewTaskQueue("pinned-restart");
        var workflowId = ServerFixture.NewWorkflowId("pinned-restart");
        string runId;

        await using (var first = await StartAsync("pinned-restart-1"))
        {
            var client = await ServerFixture.ConnectAsync(first);
            // A poll registers v1 in the queue; no worker is left to take the run's first task before the restart.
            await DeploymentCalls.PollAsync(client, deployment, "v1", taskQueue);
            var handle = await client.StartWorkflowAsync((HelloWorkflow wf) => wf.RunAsync("pinned"), new(workflowId, taskQueue)
            {
                VersioningOverride = new VersioningOverride.Pinned(new WorkerDeploymentVersion(deployment, "v1")),
            });
            runId = handle.ResultRunId!;
            await first.StopAsync();
        }

        await using var second = await StartAsync("pinned-restart-2");
        var client2 = await ServerFixture.ConnectAsync(second);
        using var worker = new TemporalWorker(client2, new TemporalWorkerOptions(taskQueue)
        {
            DeploymentOptions = new WorkerDeploymentOptions(new WorkerDeploymentVersion(deployment, "v1"), useWorkerVersioning: true)
            {
                DefaultVersioningBehavior = Temporalio.Common.VersioningBehavior.Pinned,
            },
        }.AddWorkflow<HelloWorkflow>().AddAllActivities(new GreetingActivities()));
        var handle2 = client2.GetWorkflowHandle<HelloWorkflow>(workflowId, runId);

        var result = await worker.ExecuteAsync(() => handle2.GetResultAsync<string>().WithTimeout("the pinned run after the restart"));

        Assert.Equal("Hello, pinned!", result);
        var versioning = (await client2.WorkflowService.DescribeWorkflowExecutionAsync(new()
        {
            Namespace = "default",
            Execution = new() { WorkflowId = workflowId, RunId = runId },
        })).WorkflowExecutionInfo.VersioningInfo;
        Assert.Equal(("v1", Temporalio.Api.Enums.V1.VersioningBehavior.Pinned), (versioning.DeploymentVersion.BuildId, versioning.Behavior));
    }

    private Task<TemporaServer> StartAsync(string logName) =>
        ServerFixture.StartServerAsync(
            _database.Apply(new TemporaOptions { Port = 0, UiPort = 0, MetricsPort = 0, Headless = true }),
            logName);
}
