using Tempora.Core.Errors;
using Tempora.History;
using Tempora.History.Validation;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Frontend.Validation;

internal static class UpdateWorkflowExecutionValidation
{
    /// <summary>The update's own fields; an update without an id gets one here, as in Temporal's frontend.</summary>
    public static void Validate(UpdateWorkflowExecutionRequest r, PayloadLimits limits)
    {
        if (r.Request is null)
        {
            throw new InvalidArgumentException("Request is not set on request.");
        }
        r.Request.Meta ??= new Temporalio.Api.Update.V1.Meta();
        if (string.IsNullOrEmpty(r.Request.Meta.UpdateId))
        {
            r.Request.Meta.UpdateId = Guid.NewGuid().ToString();
        }
        if (string.IsNullOrEmpty(r.Request.Input?.Name))
        {
            throw new InvalidArgumentException("Update name is not set on request.");
        }
        RequestChecks.CheckLength(r.Request.Meta.UpdateId, "UpdateId");
        RequestChecks.CheckBlob(limits, r.Request.Input.Args, "update args");
        RequestChecks.CheckBlob(limits, r.Request.Input.Header, "header");
    }
}
