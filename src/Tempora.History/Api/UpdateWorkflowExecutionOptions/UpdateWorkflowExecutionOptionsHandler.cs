using Tempora.History.Updates;
using Tempora.Persistence;
using Temporalio.Api.Workflow.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History.Api;

/// <summary>
/// The options 1.28 lets a workflow change are only its versioning override, which needs worker versioning (refused
/// before this); what remains is a request that changes nothing, answered with the run's options, none set, after
/// checking the run is open, as Temporal's no-op update does.
/// </summary>
internal sealed class UpdateWorkflowExecutionOptionsHandler(RunResolver runs, WorkflowUpdater updater)
{
    public async Task<UpdateWorkflowExecutionOptionsResponse> HandleAsync(
        NamespaceRecord ns, UpdateWorkflowExecutionOptionsRequest r, CancellationToken ct)
    {
        var key = await runs.ResolveAsync(ns.Id, r.WorkflowExecution, null, ct);
        return await updater.ReadAsync(key, (s, _) =>
        {
            ActivitySelection.RequireOpen(s);
            return new UpdateWorkflowExecutionOptionsResponse { WorkflowExecutionOptions = new WorkflowExecutionOptions() };
        }, ct);
    }
}
