using Temporalio.Api.Deployment.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.TaskQueue.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;

namespace Tempora.Web.Tests;

/// <summary>
/// Worker deployment versions made as a worker makes them: a workflow-task poll with deployment options and
/// versioning on registers its version on the task queue. The poll is a raw gRPC call (no workflow code needed),
/// kept open until DescribeWorkerDeployment lists the version, then cancelled.
/// </summary>
internal static class DeploymentVersions
{
    public static string NewDeploymentName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    public static Task RegisterAsync(UiServerFixture fixture, string deployment, string buildId, string taskQueue) =>
        RegisterAsync(fixture.Client, deployment, buildId, taskQueue);

    public static async Task RegisterAsync(ITemporalClient client, string deployment, string buildId, string taskQueue)
    {
        using var stop = new CancellationTokenSource();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        Task? poll = null;
        try
        {
            while (true)
            {
                // A poll the server answered (e.g. "not ready, try again shortly") or failed is made again, as workers do.
                if (poll is null || poll.IsCompleted)
                {
                    poll = PollAsync(client, deployment, buildId, taskQueue, stop.Token);
                }
                if (await HasVersionAsync(client, deployment, buildId))
                {
                    return;
                }
                if (DateTime.UtcNow > deadline)
                {
                    var failure = poll.IsFaulted ? $" The poll failed: {poll.Exception?.InnerException?.Message}" : "";
                    throw new TimeoutException($"The version {deployment}.{buildId} was not registered within 30 s.{failure}");
                }
                await Task.Delay(100);
            }
        }
        finally
        {
            await stop.CancelAsync();
            if (poll is not null)
            {
                await poll.ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    /// <summary>Until a worker's own polls have registered the version.</summary>
    public static async Task WaitForVersionAsync(ITemporalClient client, string deployment, string buildId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await HasVersionAsync(client, deployment, buildId))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The worker's version {deployment}.{buildId} was not registered within 30 s.");
            }
            await Task.Delay(100);
        }
    }

    public static Task<DescribeWorkerDeploymentResponse> DescribeAsync(UiServerFixture fixture, string deployment) =>
        DescribeAsync(fixture.Client, deployment);

    public static Task<DescribeWorkerDeploymentResponse> DescribeAsync(ITemporalClient client, string deployment) =>
        client.Connection.WorkflowService.DescribeWorkerDeploymentAsync(new() { Namespace = "default", DeploymentName = deployment });

    private static Task PollAsync(ITemporalClient client, string deployment, string buildId, string taskQueue, CancellationToken ct) =>
        client.Connection.WorkflowService.PollWorkflowTaskQueueAsync(new PollWorkflowTaskQueueRequest
        {
            Namespace = "default",
            TaskQueue = new TaskQueue { Name = taskQueue, Kind = TaskQueueKind.Normal },
            Identity = "web-ui-test-worker",
            DeploymentOptions = new WorkerDeploymentOptions
            {
                DeploymentName = deployment,
                BuildId = buildId,
                WorkerVersioningMode = WorkerVersioningMode.Versioned,
            },
        }, new RpcOptions { CancellationToken = ct });

    private static async Task<bool> HasVersionAsync(ITemporalClient client, string deployment, string buildId)
    {
        try
        {
            var description = await DescribeAsync(client, deployment);
            return description.WorkerDeploymentInfo.VersionSummaries.Any(s => s.DeploymentVersion?.BuildId == buildId);
        }
        catch (Temporalio.Exceptions.RpcException e) when (e.Code == Temporalio.Exceptions.RpcException.StatusCode.NotFound)
        {
            return false;
        }
    }
}
