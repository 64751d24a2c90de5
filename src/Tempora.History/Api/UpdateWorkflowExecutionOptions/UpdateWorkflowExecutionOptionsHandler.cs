using Tempora.History.Updates;
using Tempora.Persistence;
using Temporalio.Api.Workflow.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History.Api;

/// <summary>
/// Changes the options 1.28 lets a running workflow change, its versioning override (MergeAndApply): the request's
/// options are merged into the run's by the update mask; when that changes them, WorkflowExecutionOptionsUpdated records
/// the new override (or unset_versioning_override), and a change of the run's effective version or behavior sends its
/// pending tasks to matching again. The answer is the merged options.
/// </summary>
internal sealed class UpdateWorkflowExecutionOptionsHandler(RunResolver runs, WorkflowUpdater updater)
{
    public async Task<UpdateWorkflowExecutionOptionsResponse> HandleAsync(
        NamespaceRecord ns, UpdateWorkflowExecutionOptionsRequest r, CancellationToken ct)
    {
        var key = await runs.ResolveAsync(ns.Id, r.WorkflowExecution, null, ct);
        return await updater.UpdateAsync(key, t =>
        {
            ActivitySelection.RequireOpen(t.State);
            var merged = t.MergeVersioningOverride(r.WorkflowExecutionOptions?.VersioningOverride, r.UpdateMask?.Paths ?? []);
            return new UpdateWorkflowExecutionOptionsResponse
            {
                WorkflowExecutionOptions = new WorkflowExecutionOptions { VersioningOverride = merged?.Clone() },
            };
        }, ct);
    }
}
