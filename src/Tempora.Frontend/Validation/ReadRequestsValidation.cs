using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Frontend.Validation;

/// <summary>The RPCs that address a run and carry nothing else to check: the run must be named properly.</summary>
internal static class ReadRequestsValidation
{
    public static void Validate(DescribeWorkflowExecutionRequest r) => RequestFields.CheckExecution(r.Execution);

    public static void Validate(GetWorkflowExecutionHistoryRequest r) => RequestFields.CheckExecution(r.Execution);

    public static void Validate(GetWorkflowExecutionHistoryReverseRequest r) => RequestFields.CheckExecution(r.Execution);

    public static void Validate(DeleteWorkflowExecutionRequest r) => RequestFields.CheckExecution(r.WorkflowExecution);

    public static void Validate(ResetStickyTaskQueueRequest r) => RequestFields.CheckExecution(r.Execution);

    public static void Validate(PollWorkflowExecutionUpdateRequest r)
    {
        if (string.IsNullOrEmpty(r.UpdateRef?.UpdateId))
        {
            throw new Core.Errors.InvalidArgumentException("UpdateRef.UpdateId is not set on request.");
        }
        RequestFields.CheckExecution(r.UpdateRef.WorkflowExecution);
    }
}
