using Tempora.Core.Errors;
using Tempora.Persistence;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History.Api;

internal sealed class ExecuteMultiOperationHandler(StartWorkflowExecutionHandler starter, UpdateWorkflowExecutionHandler updater)
{
    /// <summary>
    /// Update-with-start: a StartWorkflowExecution and an UpdateWorkflowExecution applied together. The frontend
    /// checked the request's shape and both operations (ExecuteMultiOperationValidation).
    /// </summary>
    public async Task<ExecuteMultiOperationResponse> HandleAsync(NamespaceRecord ns, ExecuteMultiOperationRequest r,
        TimeSpan maxWait, CancellationToken ct)
    {
        var start = r.Operations[0].StartWorkflow;
        var update = r.Operations[1].UpdateWorkflow;
        StartWorkflowExecutionResponse started;
        try
        {
            started = await starter.HandleAsync(ns, start, ct);
        }
        catch (TemporaException e)
        {
            throw new MultiOperationException(0, e);
        }
        UpdateWorkflowExecutionResponse updateResponse;
        try
        {
            updateResponse = await updater.HandleAsync(ns, new UpdateWorkflowExecutionRequest
            {
                Namespace = update.Namespace,
                WorkflowExecution = new Temporalio.Api.Common.V1.WorkflowExecution { WorkflowId = start.WorkflowId, RunId = started.RunId },
                Request = update.Request,
                WaitPolicy = update.WaitPolicy,
            }, maxWait, ct);
        }
        catch (TemporaException e)
        {
            // Upstream reports the start as aborted when it used an existing run, and as done when it started one.
            throw new MultiOperationException(1, e, earlierAborted: !started.Started);
        }
        return new ExecuteMultiOperationResponse
        {
            Responses =
            {
                new ExecuteMultiOperationResponse.Types.Response { StartWorkflow = started },
                new ExecuteMultiOperationResponse.Types.Response { UpdateWorkflow = updateResponse },
            },
        };
    }
}
