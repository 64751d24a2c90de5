using Tempora.Core.Errors;
using Tempora.Persistence;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History.Api;

internal sealed class ExecuteMultiOperationHandler(
    StartWorkflowExecutionHandler starter, UpdateWorkflowExecutionHandler updater, PayloadLimits limits)
{
    /// <summary>Update-with-start: a StartWorkflowExecution and an UpdateWorkflowExecution applied together.</summary>
    public async Task<ExecuteMultiOperationResponse> HandleAsync(NamespaceRecord ns, ExecuteMultiOperationRequest r,
        TimeSpan maxWait, CancellationToken ct)
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
            UpdateRequests.Validate(update, limits); // both operations are checked before either runs, as upstream's frontend does
        }
        catch (TemporaException e)
        {
            throw new MultiOperationException(1, e, earlierAborted: true);
        }
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
