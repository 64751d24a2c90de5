using Tempora.Persistence;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History.Api;

internal sealed class TerminateWorkflowExecutionHandler(RunResolver runs, RunTerminator terminator, PayloadLimits limits)
{
    public async Task HandleAsync(NamespaceRecord ns, TerminateWorkflowExecutionRequest r, CancellationToken ct)
    {
        RequestChecks.CheckBlob(limits, r.Details, "details");
        RequestLinks.Validate(r.Links);
        var key = await runs.ResolveAsync(ns.Id, RunResolver.AcrossRuns(r.WorkflowExecution, r.FirstExecutionRunId), r.FirstExecutionRunId, ct);
        await terminator.TerminateAsync(key, r.Reason, r.Details, r.Identity, ct, r.Links);
    }
}
