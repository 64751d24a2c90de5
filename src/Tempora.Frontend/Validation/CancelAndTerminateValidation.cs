using Tempora.History;
using Tempora.History.Validation;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Frontend.Validation;

internal static class CancelAndTerminateValidation
{
    public static void Validate(RequestCancelWorkflowExecutionRequest r)
    {
        RequestLinks.Validate(r.Links);
        RequestFields.CheckExecutionAcrossRuns(r.WorkflowExecution, r.FirstExecutionRunId);
    }

    public static void Validate(TerminateWorkflowExecutionRequest r, PayloadLimits limits)
    {
        RequestChecks.CheckBlob(limits, r.Details, "details");
        RequestLinks.Validate(r.Links);
        RequestFields.CheckExecutionAcrossRuns(r.WorkflowExecution, r.FirstExecutionRunId);
    }
}
