using Tempora.History.Updates;
using Tempora.Persistence;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History.Api;

/// <summary>Requests cancellation of a run; the frontend validated the request (CancelAndTerminateValidation).</summary>
internal sealed class RequestCancelWorkflowExecutionHandler(RunResolver runs, WorkflowUpdater updater)
{
    public async Task HandleAsync(NamespaceRecord ns, RequestCancelWorkflowExecutionRequest r, CancellationToken ct)
    {
        var key = await runs.ResolveAsync(ns.Id, RunResolver.AcrossRuns(r.WorkflowExecution, r.FirstExecutionRunId), r.FirstExecutionRunId, ct);
        await updater.UpdateAsync(key, t =>
        {
            // Already requested or already closed: success without change, as current upstream answers.
            if (t.State.IsOpen && !t.State.CancelRequested)
            {
                t.RequestCancel(r.Reason, r.Identity, links: r.Links);
            }
            return 0;
        }, ct);
    }
}
