using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Net.Client;
using Tempora.Frontend;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// The RPCs Tempora serves, listed by hand. A handler is found by its method name, so a renamed or misspelt handler
/// would quietly turn its RPC into Unimplemented; this list makes that a test failure, and makes every RPC added or
/// removed a deliberate edit here. The wire check asks the running server itself, outside the binder's reflection.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ImplementedRpcTests(ServerFixture fixture)
{
    private static readonly string[] WorkflowService =
    [
        "CountSchedules", "CountWorkflowExecutions", "CreateSchedule", "DeleteSchedule", "DescribeSchedule", "DeleteWorkflowExecution", "DeprecateNamespace", "DescribeBatchOperation", "DescribeNamespace", "DescribeTaskQueue",
        "DescribeWorkflowExecution", "ExecuteMultiOperation", "GetClusterInfo", "GetSearchAttributes", "GetSystemInfo",
        "GetWorkflowExecutionHistory", "GetWorkflowExecutionHistoryReverse", "ListArchivedWorkflowExecutions", "ListClosedWorkflowExecutions",
        "ListBatchOperations", "ListNamespaces", "ListOpenWorkflowExecutions", "ListScheduleMatchingTimes", "ListSchedules", "ListTaskQueuePartitions", "PatchSchedule", "ListWorkflowExecutions", "PauseActivity", "PollActivityTaskQueue", "PollNexusTaskQueue",
        "PollWorkflowExecutionUpdate", "PollWorkflowTaskQueue", "QueryWorkflow", "RecordActivityTaskHeartbeat",
        "RecordActivityTaskHeartbeatById", "RegisterNamespace", "RequestCancelWorkflowExecution",
        "ResetActivity", "ResetStickyTaskQueue", "ResetWorkflowExecution", "RespondActivityTaskCanceled",
        "RespondActivityTaskCanceledById", "RespondActivityTaskCompleted", "RespondActivityTaskCompletedById",
        "RespondActivityTaskFailed", "RespondActivityTaskFailedById", "RespondNexusTaskCompleted", "RespondNexusTaskFailed", "RespondQueryTaskCompleted",
        "RespondWorkflowTaskCompleted", "RespondWorkflowTaskFailed", "ScanWorkflowExecutions", "ShutdownWorker",
        "SignalWithStartWorkflowExecution", "SignalWorkflowExecution", "StartBatchOperation", "StartWorkflowExecution", "StopBatchOperation",
        "TerminateWorkflowExecution", "UnpauseActivity", "UpdateActivityOptions", "UpdateNamespace", "UpdateSchedule", "UpdateWorkflowExecution",
        "UpdateWorkflowExecutionOptions",
        "DeleteWorkerDeployment", "DeleteWorkerDeploymentVersion", "DescribeWorkerDeployment", "DescribeWorkerDeploymentVersion",
        "ListWorkerDeployments", "SetWorkerDeploymentCurrentVersion", "SetWorkerDeploymentRampingVersion",
        "UpdateWorkerDeploymentVersionMetadata",
    ];

    private static readonly string[] OperatorService =
    [
        "AddSearchAttributes", "CreateNexusEndpoint", "DeleteNamespace", "DeleteNexusEndpoint", "GetNexusEndpoint", "ListClusters",
        "ListNexusEndpoints", "ListSearchAttributes", "RemoveSearchAttributes", "UpdateNexusEndpoint",
    ];

    private static ServiceDescriptor WorkflowServiceDescriptor => Temporalio.Api.WorkflowService.V1.ServiceReflection.Descriptor.Services[0];

    private static ServiceDescriptor OperatorServiceDescriptor => Temporalio.Api.OperatorService.V1.ServiceReflection.Descriptor.Services[0];

    [Fact]
    public void Handlers_AreExactlyTheListedRpcs()
    {
        Assert.Equal(WorkflowService.Order(), new ServiceBinder<WorkflowServiceImpl>(WorkflowServiceDescriptor).ImplementedMethods().Order());
        Assert.Equal(OperatorService.Order(), new ServiceBinder<OperatorServiceImpl>(OperatorServiceDescriptor).ImplementedMethods().Order());
    }

    [Fact]
    public async Task OnTheWire_ListedRpcsAnswer_OthersAreUnimplemented()
    {
        using var channel = GrpcChannel.ForAddress($"http://{fixture.Server.GrpcAddress}");
        var invoker = channel.CreateCallInvoker();
        var wrong = new List<string>();
        foreach (var (service, implemented) in new[] { (WorkflowServiceDescriptor, WorkflowService), (OperatorServiceDescriptor, OperatorService) })
        {
            foreach (var method in service.Methods)
            {
                // An empty request: every served RPC refuses it or answers it, none may say it does not exist.
                var code = await CallEmptyAsync(invoker, service.FullName, method.Name);
                var listed = implemented.Contains(method.Name);
                if (listed == (code == StatusCode.Unimplemented))
                {
                    wrong.Add($"{method.Name}: {code}");
                }
            }
        }
        Assert.Empty(wrong);
    }

    private static async Task<StatusCode> CallEmptyAsync(CallInvoker invoker, string service, string method)
    {
        var call = new Method<byte[], byte[]>(MethodType.Unary, service, method,
            Marshallers.Create(b => b, b => b), Marshallers.Create(b => b, b => b));
        try
        {
            await invoker.AsyncUnaryCall(call, null, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(10)), []);
            return StatusCode.OK;
        }
        catch (RpcException e)
        {
            return e.StatusCode;
        }
    }
}
