using Google.Protobuf;
using Temporalio.Api.Deployment.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Exceptions;

namespace Tempora.EndToEnd.Tests.Deployments;

/// <summary>Raw worker deployment calls for the tests: versioned polls that register, and the RPCs.</summary>
internal static class DeploymentCalls
{
    public const string Identity = "deployment-tests";

    public static WorkerDeploymentOptions Versioned(string deployment, string buildId) => new()
    {
        DeploymentName = deployment,
        BuildId = buildId,
        WorkerVersioningMode = WorkerVersioningMode.Versioned,
    };

    /// <summary>A versioned poll with a short deadline: enough to register the version in the queue.</summary>
    public static async Task PollAsync(ITemporalClient client, string deployment, string buildId, string taskQueue,
        TaskQueueType type = TaskQueueType.Workflow)
    {
        var queue = new Temporalio.Api.TaskQueue.V1.TaskQueue { Name = taskQueue, Kind = TaskQueueKind.Normal };
        var options = new RpcOptions { Timeout = TimeSpan.FromMilliseconds(1500) };
        try
        {
            if (type == TaskQueueType.Workflow)
            {
                await client.Connection.WorkflowService.PollWorkflowTaskQueueAsync(new PollWorkflowTaskQueueRequest
                {
                    Namespace = client.Options.Namespace,
                    TaskQueue = queue,
                    Identity = Identity,
                    DeploymentOptions = Versioned(deployment, buildId),
                }, options);
            }
            else
            {
                await client.Connection.WorkflowService.PollActivityTaskQueueAsync(new PollActivityTaskQueueRequest
                {
                    Namespace = client.Options.Namespace,
                    TaskQueue = queue,
                    Identity = Identity,
                    DeploymentOptions = Versioned(deployment, buildId),
                }, options);
            }
        }
        catch (RpcException e) when (e.Code == RpcException.StatusCode.DeadlineExceeded || e.Message == "Timeout expired")
        {
            // registered before the poll waited
        }
    }

    public static Task<DescribeWorkerDeploymentResponse> DescribeAsync(ITemporalClient client, string deployment) =>
        client.Connection.WorkflowService.DescribeWorkerDeploymentAsync(
            new DescribeWorkerDeploymentRequest { Namespace = client.Options.Namespace, DeploymentName = deployment });

    public static async Task<ByteString> TokenAsync(ITemporalClient client, string deployment) =>
        (await DescribeAsync(client, deployment)).ConflictToken;

    public static WorkerDeploymentInfo.Types.WorkerDeploymentVersionSummary Summary(DescribeWorkerDeploymentResponse d, string buildId) =>
        d.WorkerDeploymentInfo.VersionSummaries.Single(s => s.DeploymentVersion.BuildId == buildId);

    public static async Task<RpcException> RefusedAsync(Func<Task> call, RpcException.StatusCode code, string message)
    {
        var e = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal((code, message), (e.Code, e.Message));
        return e;
    }
}
