using Tempora.Persistence;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History.Api;

/// <summary>Signals a run; the frontend validated the request (SignalWorkflowExecutionValidation).</summary>
internal sealed class SignalWorkflowExecutionHandler(RunResolver runs, RunSignaler signaler)
{
    public async Task HandleAsync(NamespaceRecord ns, SignalWorkflowExecutionRequest r, CancellationToken ct)
    {
        var key = await runs.ResolveAsync(ns.Id, r.WorkflowExecution, null, ct);
        await signaler.SignalAsync(key, r.SignalName, r.Input, r.Identity, r.Header, r.RequestId, false, ct, r.Links);
    }
}
