using Tempora.Persistence;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History.Api;

internal sealed class StartWorkflowExecutionHandler(WorkflowStarter starter)
{
    public async Task<StartWorkflowExecutionResponse> HandleAsync(NamespaceRecord ns, StartWorkflowExecutionRequest r, CancellationToken ct)
    {
        // The request's fields were checked by the frontend (StartRequestValidation).
        var spec = StartSpec.Of(r);
        var (runId, started) = await starter.StartAsync(ns, spec, null, WorkflowIdConflictPolicy.Fail, ct);
        return new StartWorkflowExecutionResponse { RunId = runId, Started = started };
    }
}
