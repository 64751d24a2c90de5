using Tempora.Core.Errors;
using Tempora.History;
using Tempora.History.Api;
using Tempora.Persistence;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Frontend.Validation;

/// <summary>
/// Update-with-start: the shape of the request, then the update, then the start. Both operations are checked before
/// either runs, as upstream's frontend does; a failure names its operation (MultiOperationException).
/// </summary>
internal static class ExecuteMultiOperationValidation
{
    /// <summary>Returns the namespace to start under (<see cref="StartRequestValidation"/>).</summary>
    public static async Task<NamespaceRecord> ValidateAsync(NamespaceRecord ns, ExecuteMultiOperationRequest r, PayloadLimits limits,
        NamespaceRegistry namespaces, CancellationToken ct)
    {
        if (r.Operations.Count != 2 || r.Operations[0].StartWorkflow is not { } start || r.Operations[1].UpdateWorkflow is not { } update)
        {
            throw new InvalidArgumentException("ExecuteMultiOperation supports exactly one StartWorkflow followed by one UpdateWorkflow.");
        }
        if (start.WorkflowId != update.WorkflowExecution?.WorkflowId || !string.IsNullOrEmpty(update.WorkflowExecution?.RunId))
        {
            throw new InvalidArgumentException("The update must target the started workflow id, without a run id.");
        }
        try
        {
            UpdateWorkflowExecutionValidation.Validate(update, limits);
        }
        catch (TemporaException e)
        {
            throw new MultiOperationException(1, e, earlierAborted: true);
        }
        try
        {
            return await StartRequestValidation.ValidateAsync(ns, StartSpec.Of(start), WorkflowIdConflictPolicy.Fail, limits, namespaces, ct);
        }
        catch (TemporaException e)
        {
            throw new MultiOperationException(0, e);
        }
    }
}
