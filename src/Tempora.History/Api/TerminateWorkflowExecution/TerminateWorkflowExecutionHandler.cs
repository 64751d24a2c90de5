using Tempora.Persistence;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History.Api;

/// <summary>Terminates a run; the frontend validated the request (CancelAndTerminateValidation).</summary>
internal sealed class TerminateWorkflowExecutionHandler(RunResolver runs, RunTerminator terminator)
{
    public async Task HandleAsync(NamespaceRecord ns, TerminateWorkflowExecutionRequest r, CancellationToken ct)
    {
        var key = await runs.ResolveAsync(ns.Id, RunResolver.AcrossRuns(r.WorkflowExecution, r.FirstExecutionRunId), r.FirstExecutionRunId, ct);
        await terminator.TerminateAsync(key, r.Reason, r.Details, r.Identity, ct, r.Links);
    }
}
