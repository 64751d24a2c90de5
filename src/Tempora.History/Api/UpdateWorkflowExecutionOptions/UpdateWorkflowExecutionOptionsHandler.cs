using Tempora.Core.Errors;
using Tempora.History.Execution;
using Tempora.History.Updates;
using Tempora.History.Validation;
using Tempora.Persistence;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
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
        var fields = r.UpdateMask?.Paths.ToHashSet(StringComparer.Ordinal) ?? [];
        var deployment = fields.Contains("versioning_override.deployment");
        var behavior = fields.Contains("versioning_override.behavior");
        if (deployment != behavior)
        {
            throw new InvalidArgumentException("error applying update_options: versioning_override fields must be updated together");
        }
        var replaces = fields.Contains("versioning_override") || deployment;
        var requested = r.WorkflowExecutionOptions?.VersioningOverride is { } o ? VersioningOverrides.Normalize(o) : null;
        return await updater.UpdateAsync(key, t =>
        {
            ActivitySelection.RequireOpen(t.State);
            var current = t.State.VersioningInfo?.VersioningOverride;
            var merged = replaces ? requested : current;
            if (!Equals(merged, current))
            {
                var before = RunVersioning.Effective(t.State);
                var e = t.NewEvent(EventType.WorkflowExecutionOptionsUpdated);
                e.WorkflowExecutionOptionsUpdatedEventAttributes = new WorkflowExecutionOptionsUpdatedEventAttributes
                {
                    VersioningOverride = merged,
                    UnsetVersioningOverride = merged is null,
                };
                t.AddWorkflowEvent(e, scheduleWorkflowTask: false);
                if (RunVersioning.Effective(t.State) != before)
                {
                    t.RedispatchAfterVersioningChange();
                }
            }
            return new UpdateWorkflowExecutionOptionsResponse
            {
                WorkflowExecutionOptions = new WorkflowExecutionOptions { VersioningOverride = merged?.Clone() },
            };
        }, ct);
    }
}
