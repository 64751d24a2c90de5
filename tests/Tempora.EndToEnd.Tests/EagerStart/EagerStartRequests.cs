using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;

namespace Tempora.EndToEnd.Tests.EagerStart;

/// <summary>Raw start requests that ask for eager execution, as an SDK sends them for a worker on the same client.</summary>
internal static class EagerStartRequests
{
    public const string Identity = "e2e-eager-starter";

    public static StartWorkflowExecutionRequest Start(string workflowId, string taskQueue, string requestId) => new()
    {
        Namespace = "default",
        WorkflowId = workflowId,
        WorkflowType = new WorkflowType { Name = "RawEager" },
        TaskQueue = RawWorker.NormalQueue(taskQueue),
        RequestId = requestId,
        Identity = Identity,
        RequestEagerExecution = true,
    };

    private static readonly Method<StartWorkflowExecutionRequest, StartWorkflowExecutionResponse> StartMethod = new(MethodType.Unary,
        "temporal.api.workflowservice.v1.WorkflowService", "StartWorkflowExecution",
        Marshallers.Create(r => r.ToByteArray(), StartWorkflowExecutionRequest.Parser.ParseFrom),
        Marshallers.Create(r => r.ToByteArray(), StartWorkflowExecutionResponse.Parser.ParseFrom));

    /// <summary>
    /// Sends the start over a plain gRPC channel: the SDK's client would clear request_eager_execution, as it does
    /// whenever no worker of its own has a free slot on the task queue.
    /// </summary>
    public static async Task<StartWorkflowExecutionResponse> StartAsync(string grpcAddress, StartWorkflowExecutionRequest request)
    {
        using var channel = GrpcChannel.ForAddress($"http://{grpcAddress}");
        return await channel.CreateCallInvoker().AsyncUnaryCall(StartMethod, null, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(30)), request);
    }

    public static async Task<string> NamespaceIdAsync(TemporalClient client) =>
        (await client.WorkflowService.DescribeNamespaceAsync(new DescribeNamespaceRequest { Namespace = "default" })).NamespaceInfo.Id;

    /// <summary>Whether the run's history has closed as completed.</summary>
    public static async Task<WorkflowExecutionStatus> StatusAsync(TemporalClient client, string workflowId, string runId) =>
        (await client.GetWorkflowHandle(workflowId, runId).DescribeAsync()).Status;
}
