using Tempora.Persistence;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History.Api;

/// <param name="eagerStartEnabled">
/// Temporal's system.enableEagerWorkflowStart: when off, request_eager_execution is a hint not taken (as upstream, which
/// then starts the run normally and counts the denial), so the first task goes through matching.
/// </param>
internal sealed class StartWorkflowExecutionHandler(WorkflowStarter starter, WorkflowTaskResponses responses, bool eagerStartEnabled)
{
    public async Task<StartWorkflowExecutionResponse> HandleAsync(NamespaceRecord ns, StartWorkflowExecutionRequest r, CancellationToken ct)
    {
        // The request's fields were checked by the frontend (StartRequestValidation).
        var spec = StartSpec.Of(r);
        var eager = r.RequestEagerExecution && eagerStartEnabled;
        var (runId, started, eagerTask) = await starter.StartAsync(ns, spec, null, WorkflowIdConflictPolicy.Fail, eager, ct);
        var response = new StartWorkflowExecutionResponse { RunId = runId, Started = started };
        if (eagerTask is not null)
        {
            response.EagerWorkflowTask = await responses.ResponseAsync(ns, eagerTask, ct);
        }
        return response;
    }
}
