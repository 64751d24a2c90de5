using Tempora.Core;
using Tempora.Core.Errors;
using Tempora.Persistence;
using Temporalio.Api.Common.V1;

namespace Tempora.History.Api;

/// <summary>The run a request addresses: the given run, or the current run of the workflow id.</summary>
internal sealed class RunResolver(IExecutionStore store)
{
    /// <summary>
    /// Resolves <paramref name="execution"/>. The frontend checked the ids of a client's request already; the checks
    /// stay here for the internal callers (child starts, external requests), which carry ids from history.
    /// </summary>
    public async Task<WorkflowKey> ResolveAsync(string namespaceId, WorkflowExecution? execution, string? firstExecutionRunId, CancellationToken ct)
    {
        var workflowId = execution?.WorkflowId;
        if (string.IsNullOrEmpty(workflowId))
        {
            throw new InvalidArgumentException("WorkflowId is not set on request.");
        }
        if (!string.IsNullOrEmpty(execution!.RunId))
        {
            if (!Guid.TryParse(execution.RunId, out _))
            {
                throw new InvalidArgumentException("Invalid RunId.");
            }
            return new WorkflowKey(namespaceId, workflowId, execution.RunId);
        }
        var current = await store.GetCurrentExecutionAsync(namespaceId, workflowId, ct)
            ?? throw new EntityNotFoundException($"workflow not found for ID: {workflowId}");
        if (!string.IsNullOrEmpty(firstExecutionRunId) && current.FirstExecutionRunId != firstExecutionRunId)
        {
            throw new EntityNotFoundException($"workflow not found for ID: {workflowId}");
        }
        return new WorkflowKey(namespaceId, workflowId, current.RunId);
    }

    /// <summary>
    /// With first_execution_run_id, cancel and terminate address the chain's current run whatever run id is given
    /// (as Temporal does), and only if that run belongs to the chain.
    /// </summary>
    public static WorkflowExecution? AcrossRuns(WorkflowExecution? execution, string firstExecutionRunId) =>
        string.IsNullOrEmpty(firstExecutionRunId) || execution is null ? execution : new WorkflowExecution { WorkflowId = execution.WorkflowId };
}
