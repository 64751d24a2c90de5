using Tempora.Persistence;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History.Api;

internal sealed class SignalWithStartWorkflowExecutionHandler(WorkflowStarter starter)
{
    public async Task<SignalWithStartWorkflowExecutionResponse> HandleAsync(
        NamespaceRecord ns, SignalWithStartWorkflowExecutionRequest r, CancellationToken ct)
    {
        // The request's fields were checked by the frontend (SignalWithStartWorkflowExecutionValidation).
        var spec = StartSpec.Of(r);
        var (runId, started) = await starter.StartAsync(ns, spec, new StartSignal(r.SignalName, r.SignalInput, r.Header),
            WorkflowIdConflictPolicy.UseExisting, ct);
        return new SignalWithStartWorkflowExecutionResponse { RunId = runId, Started = started };
    }
}
