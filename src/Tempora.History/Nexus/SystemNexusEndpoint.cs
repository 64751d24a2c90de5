using Tempora.Core.Nexus;

namespace Tempora.History.Nexus;

/// <summary>
/// The endpoint the SDKs build some of their own features on (a workflow's signal-with-start of another workflow is a
/// Nexus operation there): served by the server itself, in the caller's namespace, with no registry entry.
/// </summary>
public static class SystemNexusEndpoint
{
    public const string Name = "__temporal_system";
    public const string WorkflowService = "temporal.api.workflowservice.v1.WorkflowService";
    public const string SignalWithStart = "SignalWithStartWorkflowExecution";
}

/// <summary>Runs the system endpoint's operations (implemented where the frontend can be called).</summary>
public interface ISystemNexusOperations
{
    /// <summary>Starts one operation for a workflow of <paramref name="namespaceName"/>; answers as a handler would.</summary>
    Task<NexusTaskOutcome> StartAsync(string namespaceName, Temporalio.Api.Nexus.V1.StartOperationRequest start, CancellationToken ct);
}
