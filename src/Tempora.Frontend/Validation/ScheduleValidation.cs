using Tempora.Core.Errors;
using Tempora.History;
using Tempora.History.Validation;
using Tempora.Persistence;
using Tempora.Visibility;
using Temporalio.Api.Schedule.V1;

namespace Tempora.Frontend.Validation;

/// <summary>
/// What the frontend checks of the workflow a schedule starts, when the schedule is created or updated, so that a bad
/// action is refused at once rather than at each due time: its id as the schedule will give it (the action's id plus
/// the nominal time) and its search attributes against the namespace, as Temporal's frontend does. The rest of the
/// action (type, task queue, timeouts, cron, reuse policy) is the schedule's own check (ScheduleMachine).
/// </summary>
internal static class ScheduleValidation
{
    /// <summary>What a schedule adds to its action's workflow id: "-" and an RFC 3339 time to the second.</summary>
    private const string NominalTimeSuffix = "-2006-01-02T15:04:05Z";

    public static async Task<NamespaceRecord> ValidateAsync(NamespaceRecord ns, Schedule? schedule, PayloadLimits limits,
        NamespaceRegistry namespaces, string request, CancellationToken ct)
    {
        if (schedule?.Policies?.KeepOriginalWorkflowId == true)
        {
            // Newer than every Temporal server's scheduler: no behaviour to follow yet, so refused rather than guessed.
            throw new UnimplementedException(
                $"{request}.schedule.policies.keep_original_workflow_id is not supported by this server (Temporal 1.28 has no such policy).");
        }
        if (schedule?.Action?.StartWorkflow is not { } workflow)
        {
            return ns;
        }
        // 1.28's scheduler keeps the override but starts runs without it; Tempora starts them with it (compatibility.md).
        Tempora.History.Validation.VersioningOverrides.Validate(workflow.VersioningOverride);
        RequestChecks.CheckLength(workflow.WorkflowId + NominalTimeSuffix, "WorkflowId");
        ns = await SearchAttributeValidation.ValidateAsync(ns, workflow.SearchAttributes, limits, namespaces, ct);
        return ns;
    }
}
