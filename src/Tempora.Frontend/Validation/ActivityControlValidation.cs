using Tempora.Core.Errors;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Frontend.Validation;

/// <summary>
/// PauseActivity, UnpauseActivity, ResetActivity, UpdateActivityOptions and UpdateWorkflowExecutionOptions, checked
/// as Temporal 1.28's frontend checks them (workflow_handler.go), with its words.
/// </summary>
internal static class ActivityControlValidation
{
    private const string WorkflowIdNotSet = "WorkflowId is not set on request.";
    private const string ActivityNotNamed = "Either Activity.Id or Activity.Type should be set on request.";

    public static void Validate(PauseActivityRequest r) =>
        Check(r.Execution?.WorkflowId, r.ActivityCase != PauseActivityRequest.ActivityOneofCase.None);

    public static void Validate(UnpauseActivityRequest r) =>
        Check(r.Execution?.WorkflowId, r.ActivityCase != UnpauseActivityRequest.ActivityOneofCase.None);

    public static void Validate(ResetActivityRequest r) =>
        Check(r.Execution?.WorkflowId, r.ActivityCase != ResetActivityRequest.ActivityOneofCase.None);

    public static void Validate(UpdateActivityOptionsRequest r)
    {
        Check(r.Execution?.WorkflowId, r.ActivityCase != UpdateActivityOptionsRequest.ActivityOneofCase.None);
        if (r.RestoreOriginal && r.UpdateMask?.Paths.Count > 0)
        {
            throw new InvalidArgumentException("Both UpdateMask and RestoreOriginal are provided");
        }
    }

    public static void Validate(UpdateWorkflowExecutionOptionsRequest r)
    {
        if (string.IsNullOrEmpty(r.WorkflowExecution?.WorkflowId))
        {
            throw new InvalidArgumentException(WorkflowIdNotSet);
        }
        if (r.UpdateMask is null)
        {
            throw new InvalidArgumentException("UpdateMask is required");
        }
        if (r.WorkflowExecutionOptions is null)
        {
            throw new InvalidArgumentException("WorkflowExecutionOptions is required");
        }
        foreach (var path in r.UpdateMask.Paths)
        {
            // 1.28's WorkflowExecutionOptions has only versioning_override: any other
            // path, including the newer options' names, is what fieldmaskpb.New refuses there.
            if (path != "versioning_override" && !path.StartsWith("versioning_override.", StringComparison.Ordinal))
            {
                throw new InvalidArgumentException(
                    $"error parsing UpdateMask: proto: invalid path \"{path}\" for message \"temporal.api.workflow.v1.WorkflowExecutionOptions\"");
            }
        }
        Tempora.History.Validation.VersioningOverrides.Validate(r.WorkflowExecutionOptions.VersioningOverride);
    }

    private static void Check(string? workflowId, bool activityNamed)
    {
        if (string.IsNullOrEmpty(workflowId))
        {
            throw new InvalidArgumentException(WorkflowIdNotSet);
        }
        if (!activityNamed)
        {
            throw new InvalidArgumentException(ActivityNotNamed);
        }
    }
}
