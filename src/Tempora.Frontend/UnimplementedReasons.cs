namespace Tempora.Frontend;

/// <summary>
/// Why some RPCs answer Unimplemented for good rather than "not yet": Temporal 1.28 answers the deprecated
/// deployment RPCs Unimplemented itself, in the words kept here, and Tempora is a single cluster. Keyed by the
/// method's full name; every other RPC without a handler says it is not implemented yet.
/// </summary>
internal static class UnimplementedReasons
{
    private const string WorkflowService = "temporal.api.workflowservice.v1.WorkflowService.";
    private const string OperatorService = "temporal.api.operatorservice.v1.OperatorService.";
    private const string DeploymentsDeprecated = "Deployments are deprecated and no longer supported, use Worker Deployments instead";
    private const string SingleCluster = "Tempora is a single cluster: multi-cluster replication is not supported.";

    private static readonly Dictionary<string, string> Reasons = new(StringComparer.Ordinal)
    {
        [WorkflowService + "DescribeDeployment"] = DeploymentsDeprecated,
        [WorkflowService + "ListDeployments"] = DeploymentsDeprecated,
        [WorkflowService + "GetDeploymentReachability"] = DeploymentsDeprecated,
        [WorkflowService + "GetCurrentDeployment"] = DeploymentsDeprecated,
        [WorkflowService + "SetCurrentDeployment"] = DeploymentsDeprecated,
        [OperatorService + "AddOrUpdateRemoteCluster"] = SingleCluster,
        [OperatorService + "RemoveRemoteCluster"] = SingleCluster,
    };

    /// <summary>The message of the Unimplemented status of <paramref name="methodFullName"/> (service, dot, method).</summary>
    public static string MessageFor(string methodFullName, string serviceName, string methodName) =>
        Reasons.TryGetValue(methodFullName, out var reason)
            ? reason
            : $"Method {serviceName}/{methodName} is not implemented by Tempora yet.";
}
