using System.Collections.Frozen;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Update.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Cluster.Routing;

/// <summary>
/// Which process serves each WorkflowService method. A request that names a workflow — by a task token, a
/// <c>workflow_execution</c>/<c>execution</c>, a <c>workflow_id</c>, an <c>update_ref</c> or a multi-operation's start —
/// goes to the owner of the workflow's shard (a schedule's, by its <c>schedule_id</c>, to the owner of its scheduler
/// key's shard; a batch's, by its <c>job_id</c>, to the owner of its job's shard); the route is derived from the request's fields by protobuf reflection,
/// so a new workflow-scoped RPC is routed without anyone remembering to. Every other method is listed in
/// <see cref="NotWorkflowScoped"/> and served where it arrives; a test fails on a method that is in neither.
/// </summary>
internal static class WorkflowRoutes
{
    /// <summary>Methods whose requests name no workflow (namespaces, visibility, polls, schedules, deployments…).</summary>
    public static readonly FrozenSet<string> NotWorkflowScoped = new[]
    {
        "RegisterNamespace",
        "DescribeNamespace",
        "ListNamespaces",
        "UpdateNamespace",
        "DeprecateNamespace",
        "PollWorkflowTaskQueue",
        "PollActivityTaskQueue",
        "ListOpenWorkflowExecutions",
        "ListClosedWorkflowExecutions",
        "ListWorkflowExecutions",
        "ListArchivedWorkflowExecutions",
        "ScanWorkflowExecutions",
        "CountWorkflowExecutions",
        "GetSearchAttributes",
        "ShutdownWorker",
        "DescribeTaskQueue",
        "GetClusterInfo",
        "GetSystemInfo",
        "ListTaskQueuePartitions",
        "ListSchedules",
        "CountSchedules",
        "UpdateWorkerBuildIdCompatibility",
        "GetWorkerBuildIdCompatibility",
        "UpdateWorkerVersioningRules",
        "GetWorkerVersioningRules",
        "GetWorkerTaskReachability",
        "DescribeDeployment",
        "DescribeWorkerDeploymentVersion",
        "ListDeployments",
        "GetDeploymentReachability",
        "GetCurrentDeployment",
        "SetCurrentDeployment",
        "SetWorkerDeploymentCurrentVersion",
        "DescribeWorkerDeployment",
        "DeleteWorkerDeployment",
        "DeleteWorkerDeploymentVersion",
        "SetWorkerDeploymentRampingVersion",
        "ListWorkerDeployments",
        "CreateWorkerDeployment",
        "CreateWorkerDeploymentVersion",
        "UpdateWorkerDeploymentVersionComputeConfig",
        "ValidateWorkerDeploymentVersionComputeConfig",
        "UpdateWorkerDeploymentVersionMetadata",
        "SetWorkerDeploymentManager",
        "ListBatchOperations",
        "PollNexusTaskQueue",
        "CreateWorkflowRule",
        "DescribeWorkflowRule",
        "DeleteWorkflowRule",
        "ListWorkflowRules",
        "RecordWorkerHeartbeat",
        "ListWorkers",
        "CountWorkers",
        "UpdateTaskQueueConfig",
        "FetchWorkerConfig",
        "UpdateWorkerConfig",
        "DescribeWorker",
        "StartActivityExecution",
        "StartNexusOperationExecution",
        "DescribeActivityExecution",
        "DescribeNexusOperationExecution",
        "PollActivityExecution",
        "PollNexusOperationExecution",
        "ListActivityExecutions",
        "ListNexusOperationExecutions",
        "CountActivityExecutions",
        "CountNexusOperationExecutions",
        "RequestCancelActivityExecution",
        "RequestCancelNexusOperationExecution",
        "TerminateActivityExecution",
        "DeleteActivityExecution",
        "TerminateNexusOperationExecution",
        "DeleteNexusOperationExecution",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>The service whose methods are routed.</summary>
    public static ServiceDescriptor Service => ServiceReflection.Descriptor.Services[0];

    private static readonly FrozenDictionary<string, WorkflowRoute> ByFullMethod = Service.Methods
        .Select(m => (FullMethod: $"/{Service.FullName}/{m.Name}", Route: WorkflowRoute.Derive(m.InputType)))
        .Where(m => m.Route is not null)
        .ToFrozenDictionary(m => m.FullMethod, m => m.Route!, StringComparer.Ordinal);

    /// <summary>The route of a method by its gRPC path (<c>/package.Service/Method</c>); null when it is not routed.</summary>
    public static WorkflowRoute? Of(string fullMethod) => ByFullMethod.GetValueOrDefault(fullMethod);

    /// <summary>The route of a WorkflowService method by its name; null when it names no workflow.</summary>
    public static WorkflowRoute? OfMethod(string name) => Of($"/{Service.FullName}/{name}");
}

/// <summary>What a workflow-scoped request names: a task token (carrying namespace and workflow), or both by name.</summary>
internal readonly record struct WorkflowTarget(ByteString? TaskToken, string Namespace, string WorkflowId);

/// <summary>How to read the workflow a request names from the request itself.</summary>
internal sealed class WorkflowRoute
{
    private readonly Func<IMessage, WorkflowTarget> _target;

    private WorkflowRoute(Func<IMessage, WorkflowTarget> target) => _target = target;

    /// <summary>The workflow <paramref name="request"/> names (empty strings when it leaves them unset).</summary>
    public WorkflowTarget Target(IMessage request) => _target(request);

    /// <summary>The route of a request type, from the fields that name a workflow; null when it has none.</summary>
    internal static WorkflowRoute? Derive(MessageDescriptor request)
    {
        var ns = request.FindFieldByName("namespace");
        string Namespace(IMessage m) => ns is null ? "" : (string)ns.Accessor.GetValue(m);
        if (Field(request, "task_token", FieldType.Bytes) is { } token)
        {
            return new(m => new WorkflowTarget((ByteString)token.Accessor.GetValue(m), Namespace(m), ""));
        }
        foreach (var name in new[] { "workflow_execution", "execution" })
        {
            if (Field(request, name, FieldType.Message) is { } execution && execution.MessageType == WorkflowExecution.Descriptor)
            {
                return new(m => new WorkflowTarget(null, Namespace(m), (execution.Accessor.GetValue(m) as WorkflowExecution)?.WorkflowId ?? ""));
            }
        }
        if (Field(request, "workflow_id", FieldType.String) is { } workflowId)
        {
            return new(m => new WorkflowTarget(null, Namespace(m), (string)workflowId.Accessor.GetValue(m)));
        }
        if (Field(request, "update_ref", FieldType.Message) is { } updateRef && updateRef.MessageType == UpdateRef.Descriptor)
        {
            return new(m => new WorkflowTarget(null, Namespace(m),
                (updateRef.Accessor.GetValue(m) as UpdateRef)?.WorkflowExecution?.WorkflowId ?? ""));
        }
        if (Field(request, "schedule_id", FieldType.String) is { } scheduleId)
        {
            // A schedule's requests go to the owner of its scheduler key's shard, which drives the schedule.
            return new(m => new WorkflowTarget(null, Namespace(m), Tempora.Core.SchedulerWorkflowIds.Of((string)scheduleId.Accessor.GetValue(m))));
        }
        if (Field(request, "job_id", FieldType.String) is { } jobId)
        {
            // A batch's requests go to the owner of its job id's shard, which runs the batch.
            return new(m => new WorkflowTarget(null, Namespace(m), Tempora.Core.BatchJobIds.ShardKeyOf((string)jobId.Accessor.GetValue(m))));
        }
        if (request.FindFieldByName("operations") is { IsRepeated: true } operations
            && operations.MessageType == ExecuteMultiOperationRequest.Types.Operation.Descriptor)
        {
            // The operations share one workflow id, that of the start that leads them.
            return new(m => new WorkflowTarget(null, Namespace(m),
                ((IList<ExecuteMultiOperationRequest.Types.Operation>)operations.Accessor.GetValue(m)).FirstOrDefault()?.StartWorkflow?.WorkflowId ?? ""));
        }
        return null;
    }

    private static FieldDescriptor? Field(MessageDescriptor request, string name, FieldType type) =>
        request.FindFieldByName(name) is { IsRepeated: false } field && field.FieldType == type ? field : null;
}
