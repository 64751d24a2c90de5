namespace Tempora.Frontend.Authorization;

/// <summary>
/// The scope and access of every WorkflowService and OperatorService method, as Temporal v1.28.4 lists them in
/// common/api/metadata.go (and its main branch for the newer methods) (the default authorizer's only input besides the claims). A method missing here has an
/// unknown scope, which the default authorizer refuses; AuthorizationTableTests fails when the Temporalio package
/// brings a method this table lacks.
/// </summary>
public static class ApiMethods
{
    public const string WorkflowServicePrefix = "/temporal.api.workflowservice.v1.WorkflowService/";

    public const string OperatorServicePrefix = "/temporal.api.operatorservice.v1.OperatorService/";

    /// <summary>APIs answered to anyone: they say only that the server is up (Temporal's frontend_api.go).</summary>
    private static readonly HashSet<string> HealthChecks = new(StringComparer.Ordinal)
    {
        "/grpc.health.v1.Health/Check",
        WorkflowServicePrefix + "GetSystemInfo",
    };

    internal static readonly Dictionary<string, (ApiScope Scope, ApiAccess Access)> WorkflowService = new(StringComparer.Ordinal)
    {
        ["RegisterNamespace"] = (ApiScope.Namespace, ApiAccess.Admin),
        ["DescribeNamespace"] = (ApiScope.Namespace, ApiAccess.ReadOnly),
        ["ListNamespaces"] = (ApiScope.Cluster, ApiAccess.ReadOnly),
        ["UpdateNamespace"] = (ApiScope.Namespace, ApiAccess.Admin),
        ["DeprecateNamespace"] = (ApiScope.Namespace, ApiAccess.Admin),
        ["StartWorkflowExecution"] = (ApiScope.Namespace, ApiAccess.Write),
        ["GetWorkflowExecutionHistory"] = (ApiScope.Namespace, ApiAccess.ReadOnly),
        ["GetWorkflowExecutionHistoryReverse"] = (ApiScope.Namespace, ApiAccess.ReadOnly),
        ["PollWorkflowTaskQueue"] = (ApiScope.Namespace, ApiAccess.Write),
        ["RespondWorkflowTaskCompleted"] = (ApiScope.Namespace, ApiAccess.Write),
        ["RespondWorkflowTaskFailed"] = (ApiScope.Namespace, ApiAccess.Write),
        ["PollActivityTaskQueue"] = (ApiScope.Namespace, ApiAccess.Write),
        ["RecordActivityTaskHeartbeat"] = (ApiScope.Namespace, ApiAccess.Write),
        ["RecordActivityTaskHeartbeatById"] = (ApiScope.Namespace, ApiAccess.Write),
        ["RespondActivityTaskCompleted"] = (ApiScope.Namespace, ApiAccess.Write),
        ["RespondActivityTaskCompletedById"] = (ApiScope.Namespace, ApiAccess.Write),
        ["RespondActivityTaskFailed"] = (ApiScope.Namespace, ApiAccess.Write),
        ["RespondActivityTaskFailedById"] = (ApiScope.Namespace, ApiAccess.Write),
        ["RespondActivityTaskCanceled"] = (ApiScope.Namespace, ApiAccess.Write),
        ["RespondActivityTaskCanceledById"] = (ApiScope.Namespace, ApiAccess.Write),
        ["PollNexusTaskQueue"] = (ApiScope.Namespace, ApiAccess.Write),
        ["RespondNexusTaskCompleted"] = (ApiScope.Namespace, ApiAccess.Write),
        ["RespondNexusTaskFailed"] = (ApiScope.Namespace, ApiAccess.Write),
        ["RequestCancelWorkflowExecution"] = (ApiScope.Namespace, ApiAccess.Write),
        ["SignalWorkflowExecution"] = (ApiScope.Namespace, ApiAccess.Write),
        ["SignalWithStartWorkflowExecution"] = (ApiScope.Namespace, ApiAccess.Write),
        ["ResetWorkflowExecution"] = (ApiScope.Namespace, ApiAccess.Write),
        ["TerminateWorkflowExecution"] = (ApiScope.Namespace, ApiAccess.Write),
        ["DeleteWorkflowExecution"] = (ApiScope.Namespace, ApiAccess.Write),
        ["ListOpenWorkflowExecutions"] = (ApiScope.Namespace, ApiAccess.ReadOnly),
        ["ListClosedWorkflowExecutions"] = (ApiScope.Namespace, ApiAccess.ReadOnly),
        ["ListWorkflowExecutions"] = (ApiScope.Namespace, ApiAccess.ReadOnly),
        ["ListArchivedWorkflowExecutions"] = (ApiScope.Namespace, ApiAccess.ReadOnly),
        ["ScanWorkflowExecutions"] = (ApiScope.Namespace, ApiAccess.ReadOnly),
        ["CountWorkflowExecutions"] = (ApiScope.Namespace, ApiAccess.ReadOnly),
        ["GetSearchAttributes"] = (ApiScope.Cluster, ApiAccess.ReadOnly),
        ["RespondQueryTaskCompleted"] = (ApiScope.Namespace, ApiAccess.Write),
        ["ResetStickyTaskQueue"] = (ApiScope.Namespace, ApiAccess.Write),
        ["ShutdownWorker"] = (ApiScope.Namespace, ApiAccess.Write),
        ["ExecuteMultiOperation"] = (ApiScope.Namespace, ApiAccess.Write),
        ["QueryWorkflow"] = (ApiScope.Namespace, ApiAccess.ReadOnly),
        ["DescribeWorkflowExecution"] = (ApiScope.Namespace, ApiAccess.ReadOnly),
        ["DescribeTaskQueue"] = (ApiScope.Namespace, ApiAccess.ReadOnly),
        ["GetClusterInfo"] = (ApiScope.Cluster, ApiAccess.ReadOnly),
        ["GetSystemInfo"] = (ApiScope.Cluster, ApiAccess.ReadOnly),
        ["ListTaskQueuePartitions"] = (ApiScope.Namespace, ApiAccess.ReadOnly),
        ["CreateSchedule"] = (ApiScope.Namespace, ApiAccess.Write),
        ["DescribeSchedule"] = (ApiScope.Namespace, ApiAccess.ReadOnly),
        ["UpdateSchedule"] = (ApiScope.Namespace, ApiAccess.Write),
        ["PatchSchedule"] = (ApiScope.Namespace, ApiAccess.Write),
        ["ListScheduleMatchingTimes"] = (ApiScope.Namespace, ApiAccess.ReadOnly),
        ["DeleteSchedule"] = (ApiScope.Namespace, ApiAccess.Write),
        ["ListSchedules"] = (ApiScope.Namespace, ApiAccess.ReadOnly),
        ["UpdateWorkerBuildIdCompatibility"] = (ApiScope.Namespace, ApiAccess.Write),
        ["GetWorkerBuildIdCompatibility"] = (ApiScope.Namespace, ApiAccess.ReadOnly),
        ["UpdateWorkerVersioningRules"] = (ApiScope.Namespace, ApiAccess.Write),
        ["GetWorkerVersioningRules"] = (ApiScope.Namespace, ApiAccess.ReadOnly),
        ["GetWorkerTaskReachability"] = (ApiScope.Namespace, ApiAccess.ReadOnly),
        ["UpdateWorkflowExecution"] = (ApiScope.Namespace, ApiAccess.Write),
        ["PollWorkflowExecutionUpdate"] = (ApiScope.Namespace, ApiAccess.ReadOnly),
        ["StartBatchOperation"] = (ApiScope.Namespace, ApiAccess.Write),
        ["StopBatchOperation"] = (ApiScope.Namespace, ApiAccess.Write),
        ["DescribeBatchOperation"] = (ApiScope.Namespace, ApiAccess.ReadOnly),
        ["ListBatchOperations"] = (ApiScope.Namespace, ApiAccess.ReadOnly),
        ["UpdateActivityOptions"] = (ApiScope.Namespace, ApiAccess.Write),
        ["PauseActivity"] = (ApiScope.Namespace, ApiAccess.Write),
        ["UnpauseActivity"] = (ApiScope.Namespace, ApiAccess.Write),
        ["ResetActivity"] = (ApiScope.Namespace, ApiAccess.Write),
        ["UpdateWorkflowExecutionOptions"] = (ApiScope.Namespace, ApiAccess.Write),
        ["DescribeDeployment"] = (ApiScope.Namespace, ApiAccess.ReadOnly),
        ["ListDeployments"] = (ApiScope.Namespace, ApiAccess.ReadOnly),
        ["GetDeploymentReachability"] = (ApiScope.Namespace, ApiAccess.ReadOnly),
        ["GetCurrentDeployment"] = (ApiScope.Namespace, ApiAccess.ReadOnly),
        ["SetCurrentDeployment"] = (ApiScope.Namespace, ApiAccess.Write),
        ["DescribeWorkerDeploymentVersion"] = (ApiScope.Namespace, ApiAccess.ReadOnly),
        ["DescribeWorkerDeployment"] = (ApiScope.Namespace, ApiAccess.ReadOnly),
        ["SetWorkerDeploymentCurrentVersion"] = (ApiScope.Namespace, ApiAccess.Write),
        ["SetWorkerDeploymentRampingVersion"] = (ApiScope.Namespace, ApiAccess.Write),
        ["DeleteWorkerDeployment"] = (ApiScope.Namespace, ApiAccess.Write),
        ["DeleteWorkerDeploymentVersion"] = (ApiScope.Namespace, ApiAccess.Write),
        ["UpdateWorkerDeploymentVersionMetadata"] = (ApiScope.Namespace, ApiAccess.Write),
        ["ListWorkerDeployments"] = (ApiScope.Namespace, ApiAccess.ReadOnly),
        ["CreateWorkflowRule"] = (ApiScope.Namespace, ApiAccess.Write),
        ["DescribeWorkflowRule"] = (ApiScope.Namespace, ApiAccess.ReadOnly),
        ["DeleteWorkflowRule"] = (ApiScope.Namespace, ApiAccess.Write),
        ["ListWorkflowRules"] = (ApiScope.Namespace, ApiAccess.ReadOnly),
        ["TriggerWorkflowRule"] = (ApiScope.Namespace, ApiAccess.Write),
        ["RecordWorkerHeartbeat"] = (ApiScope.Namespace, ApiAccess.Write),
        ["ListWorkers"] = (ApiScope.Namespace, ApiAccess.ReadOnly),
        // Methods of the Temporalio package's API that v1.28.4 predates, as Temporal's main branch (2026) lists them.
        ["CountSchedules"] = (ApiScope.Namespace, ApiAccess.ReadOnly),
        ["CreateWorkerDeployment"] = (ApiScope.Namespace, ApiAccess.Write),
        ["CreateWorkerDeploymentVersion"] = (ApiScope.Namespace, ApiAccess.Write),
        ["UpdateWorkerDeploymentVersionComputeConfig"] = (ApiScope.Namespace, ApiAccess.Write),
        ["ValidateWorkerDeploymentVersionComputeConfig"] = (ApiScope.Namespace, ApiAccess.ReadOnly),
        ["SetWorkerDeploymentManager"] = (ApiScope.Namespace, ApiAccess.Write),
        ["CountWorkers"] = (ApiScope.Namespace, ApiAccess.ReadOnly),
        ["UpdateTaskQueueConfig"] = (ApiScope.Namespace, ApiAccess.Write),
        ["FetchWorkerConfig"] = (ApiScope.Namespace, ApiAccess.ReadOnly),
        ["UpdateWorkerConfig"] = (ApiScope.Namespace, ApiAccess.Write),
        ["DescribeWorker"] = (ApiScope.Namespace, ApiAccess.ReadOnly),
        ["PauseWorkflowExecution"] = (ApiScope.Namespace, ApiAccess.Write),
        ["UnpauseWorkflowExecution"] = (ApiScope.Namespace, ApiAccess.Write),
        ["StartActivityExecution"] = (ApiScope.Namespace, ApiAccess.Write),
        ["StartNexusOperationExecution"] = (ApiScope.Namespace, ApiAccess.Write),
        ["DescribeActivityExecution"] = (ApiScope.Namespace, ApiAccess.ReadOnly),
        ["DescribeNexusOperationExecution"] = (ApiScope.Namespace, ApiAccess.ReadOnly),
        ["PollActivityExecution"] = (ApiScope.Namespace, ApiAccess.ReadOnly),
        ["PollNexusOperationExecution"] = (ApiScope.Namespace, ApiAccess.ReadOnly),
        ["ListActivityExecutions"] = (ApiScope.Namespace, ApiAccess.ReadOnly),
        ["ListNexusOperationExecutions"] = (ApiScope.Namespace, ApiAccess.ReadOnly),
        ["CountActivityExecutions"] = (ApiScope.Namespace, ApiAccess.ReadOnly),
        ["CountNexusOperationExecutions"] = (ApiScope.Namespace, ApiAccess.ReadOnly),
        ["RequestCancelActivityExecution"] = (ApiScope.Namespace, ApiAccess.Write),
        ["RequestCancelNexusOperationExecution"] = (ApiScope.Namespace, ApiAccess.Write),
        ["TerminateActivityExecution"] = (ApiScope.Namespace, ApiAccess.Write),
        ["DeleteActivityExecution"] = (ApiScope.Namespace, ApiAccess.Write),
        ["PauseActivityExecution"] = (ApiScope.Namespace, ApiAccess.Write),
        ["ResetActivityExecution"] = (ApiScope.Namespace, ApiAccess.Write),
        ["UnpauseActivityExecution"] = (ApiScope.Namespace, ApiAccess.Write),
        ["UpdateActivityExecutionOptions"] = (ApiScope.Namespace, ApiAccess.Write),
        ["TerminateNexusOperationExecution"] = (ApiScope.Namespace, ApiAccess.Write),
        ["DeleteNexusOperationExecution"] = (ApiScope.Namespace, ApiAccess.Write),
        ["PollWorkflowExecutionTimeSkipping"] = (ApiScope.Namespace, ApiAccess.ReadOnly),
    };

    internal static readonly Dictionary<string, (ApiScope Scope, ApiAccess Access)> OperatorService = new(StringComparer.Ordinal)
    {
        ["AddSearchAttributes"] = (ApiScope.Namespace, ApiAccess.Admin),
        ["RemoveSearchAttributes"] = (ApiScope.Namespace, ApiAccess.Admin),
        ["ListSearchAttributes"] = (ApiScope.Namespace, ApiAccess.ReadOnly),
        ["DeleteNamespace"] = (ApiScope.Namespace, ApiAccess.Admin),
        ["AddOrUpdateRemoteCluster"] = (ApiScope.Cluster, ApiAccess.Admin),
        ["RemoveRemoteCluster"] = (ApiScope.Cluster, ApiAccess.Admin),
        ["ListClusters"] = (ApiScope.Cluster, ApiAccess.Admin),
        ["CreateNexusEndpoint"] = (ApiScope.Cluster, ApiAccess.Admin),
        ["UpdateNexusEndpoint"] = (ApiScope.Cluster, ApiAccess.Admin),
        ["DeleteNexusEndpoint"] = (ApiScope.Cluster, ApiAccess.Admin),
        ["GetNexusEndpoint"] = (ApiScope.Cluster, ApiAccess.Admin),
        ["ListNexusEndpoints"] = (ApiScope.Cluster, ApiAccess.Admin),
    };

    public static bool IsHealthCheck(string fullMethod) => HealthChecks.Contains(fullMethod);

    /// <summary>The scope and access of a method given by its full gRPC name (<c>/package.Service/Method</c>).</summary>
    public static (ApiScope Scope, ApiAccess Access) Of(string fullMethod)
    {
        var table = fullMethod.StartsWith(WorkflowServicePrefix, StringComparison.Ordinal) ? WorkflowService
            : fullMethod.StartsWith(OperatorServicePrefix, StringComparison.Ordinal) ? OperatorService
            : null;
        return table is not null && table.TryGetValue(fullMethod[(fullMethod.LastIndexOf('/') + 1)..], out var metadata)
            ? metadata
            : (ApiScope.Unknown, ApiAccess.Unknown);
    }
}
