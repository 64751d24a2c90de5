using Tempora.Core.Errors;
using Tempora.History;
using Tempora.History.Validation;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Frontend.Validation;

internal static class SignalWorkflowExecutionValidation
{
    public static void Validate(SignalWorkflowExecutionRequest r, PayloadLimits limits)
    {
        if (string.IsNullOrEmpty(r.SignalName))
        {
            throw new InvalidArgumentException("SignalName is not set on request.");
        }
        RequestChecks.CheckLength(r.SignalName, "SignalName");
        RequestChecks.CheckLength(r.RequestId, "RequestId");
        RequestChecks.CheckBlob(limits, r.Input, "signal input");
        RequestChecks.CheckBlob(limits, r.Header, "header");
        RequestLinks.Validate(r.Links);
        RequestFields.CheckExecution(r.WorkflowExecution);
    }
}
