using Google.Protobuf.WellKnownTypes;
using Tempora.Core.Errors;
using Tempora.History.Api;
using Tempora.History.Execution;
using Temporalio.Api.Enums.V1;

namespace Tempora.History.Validation;

/// <summary>
/// The rules a workflow start must pass before anything is read or written: the frontend applies them to
/// StartWorkflowExecution, signal-with-start and update-with-start requests, history to child starts (which come
/// from workflow commands, not requests).
/// </summary>
public static class StartRules
{
    /// <summary>The start's own fields, in Temporal's order.</summary>
    public static void CheckFields(StartSpec spec, PayloadLimits limits)
    {
        VersioningOverrides.Validate(spec.VersioningOverride);
        if (string.IsNullOrEmpty(spec.WorkflowId))
        {
            throw new InvalidArgumentException("WorkflowId is not set on request.");
        }
        RequestChecks.CheckLength(spec.WorkflowId, "WorkflowId");
        if (string.IsNullOrEmpty(spec.WorkflowType?.Name))
        {
            throw new InvalidArgumentException("WorkflowType is not set on request.");
        }
        RequestChecks.CheckLength(spec.WorkflowType.Name, "WorkflowType");
        if (string.IsNullOrEmpty(spec.TaskQueue?.Name))
        {
            throw new InvalidArgumentException("TaskQueue is not set on request.");
        }
        RequestChecks.CheckLength(spec.TaskQueue.Name, "TaskQueue");
        TaskQueueNames.CheckNotReserved(spec.TaskQueue.Name);
        RequestChecks.CheckLength(spec.RequestId, "RequestId");
        RequestChecks.CheckLength(spec.Identity, "Identity");
        foreach (var (name, d) in new[] { ("WorkflowExecutionTimeout", spec.ExecutionTimeout), ("WorkflowRunTimeout", spec.RunTimeout),
                     ("WorkflowTaskTimeout", spec.TaskTimeout), ("WorkflowStartDelay", spec.StartDelay) })
        {
            if (d is not null && d.ToTimeSpan() < TimeSpan.Zero)
            {
                throw new InvalidArgumentException($"Invalid {name}.");
            }
        }
        RequestChecks.CheckBlob(limits, spec.Input, "input");
        RequestChecks.CheckBlob(limits, spec.Header, "header");
        RequestChecks.ThrowIfProblem(limits.UserMetadataProblem(spec.UserMetadata));
        RequestLinks.Validate(spec.Links);
        if (limits.IsMemoTooLarge(spec.Memo))
        {
            throw new InvalidArgumentException("Memo size exceeds limit.");
        }
        if (spec.RetryPolicy is not null)
        {
            // Defaults first, as Temporal's validateRetryPolicy does: a policy with only maximum_attempts is valid.
            RetryPolicies.WithDefaults(spec.RetryPolicy);
        }
        if (!string.IsNullOrEmpty(spec.CronSchedule))
        {
            CronSchedules.Validate(spec.CronSchedule);
            if (spec.StartDelay is not null && spec.StartDelay.ToTimeSpan() > TimeSpan.Zero)
            {
                throw new InvalidArgumentException("CronSchedule and WorkflowStartDelay may not be used together.");
            }
        }
    }

    /// <summary>
    /// The id reuse and conflict policies the start runs under (<paramref name="defaultConflict"/> when none is set);
    /// InvalidArgument for the combinations Temporal refuses.
    /// </summary>
    public static (WorkflowIdReusePolicy Reuse, WorkflowIdConflictPolicy Conflict) Policies(StartSpec spec, WorkflowIdConflictPolicy defaultConflict)
    {
        var reuse = spec.ReusePolicy == WorkflowIdReusePolicy.Unspecified ? WorkflowIdReusePolicy.AllowDuplicate : spec.ReusePolicy;
        var conflict = spec.ConflictPolicy == WorkflowIdConflictPolicy.Unspecified ? defaultConflict : spec.ConflictPolicy;
        // The deprecated TERMINATE_IF_RUNNING still arrives from older clients; upstream rewrites it the same way.
#pragma warning disable CS0612
        if (reuse == WorkflowIdReusePolicy.TerminateIfRunning)
#pragma warning restore CS0612
        {
            if (spec.ConflictPolicy != WorkflowIdConflictPolicy.Unspecified)
            {
                throw new InvalidArgumentException("Invalid WorkflowIDReusePolicy: WORKFLOW_ID_REUSE_POLICY_TERMINATE_IF_RUNNING cannot be used together with a WorkflowIDConflictPolicy.");
            }
            (reuse, conflict) = (WorkflowIdReusePolicy.AllowDuplicate, WorkflowIdConflictPolicy.TerminateExisting);
        }
        if (reuse == WorkflowIdReusePolicy.RejectDuplicate && conflict == WorkflowIdConflictPolicy.TerminateExisting)
        {
            throw new InvalidArgumentException("Invalid WorkflowIDReusePolicy: WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE cannot be used together with WorkflowIdConflictPolicy WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING.");
        }
        return (reuse, conflict);
    }
}
