using Tempora.Core.Errors;
using Tempora.History;
using Tempora.History.Validation;
using Tempora.History.Api;
using Temporalio.Api.Workflow.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Frontend.Validation;

internal static class ResetWorkflowExecutionValidation
{
    /// <summary>The reapply settings, the post-reset operations, then the request id; the reset point needs the run, so history checks it.</summary>
    public static void Validate(ResetWorkflowExecutionRequest r, PayloadLimits limits)
    {
        ResetExclusions.Of(r);
        CheckPostResetOperations(r.PostResetOperations, limits);
        RequestChecks.CheckLength(r.RequestId, "RequestId");
    }

    /// <summary>A signal after the reset, and a change of the new run's options (its versioning override), are honoured.</summary>
    private static void CheckPostResetOperations(IEnumerable<PostResetOperation> operations, PayloadLimits limits)
    {
        foreach (var operation in operations)
        {
            switch (operation.VariantCase)
            {
                case PostResetOperation.VariantOneofCase.SignalWorkflow:
                    if (string.IsNullOrEmpty(operation.SignalWorkflow.SignalName))
                    {
                        throw new InvalidArgumentException("ResetWorkflowExecutionRequest.post_reset_operations.signal_workflow.signal_name is not set.");
                    }
                    RequestChecks.CheckLength(operation.SignalWorkflow.SignalName, "SignalName");
                    RequestChecks.CheckBlob(limits, operation.SignalWorkflow.Input, "signal input");
                    RequestChecks.CheckBlob(limits, operation.SignalWorkflow.Header, "header");
                    if (operation.SignalWorkflow.Links.Count > 0)
                    {
                        throw new InvalidArgumentException(
                            "ResetWorkflowExecutionRequest.post_reset_operations.signal_workflow.links is not supported by this server.");
                    }
                    break;
                case PostResetOperation.VariantOneofCase.UpdateWorkflowOptions:
                    // Applied to the new run as UpdateWorkflowExecutionOptions would be: checked the same way.
                    ActivityControlValidation.Validate(new UpdateWorkflowExecutionOptionsRequest
                    {
                        WorkflowExecution = new() { WorkflowId = "reset" },
                        WorkflowExecutionOptions = operation.UpdateWorkflowOptions.WorkflowExecutionOptions ?? new(),
                        UpdateMask = operation.UpdateWorkflowOptions.UpdateMask ?? new(),
                    });
                    break;
                default:
                    throw new InvalidArgumentException("ResetWorkflowExecutionRequest.post_reset_operations holds an operation without a variant.");
            }
        }
    }
}
