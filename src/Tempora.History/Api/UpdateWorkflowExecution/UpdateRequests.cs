using Tempora.Core.Errors;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History.Api;

internal static class UpdateRequests
{
    /// <summary>The checks an update request must pass before anything happens; returns its update id.</summary>
    public static string Validate(UpdateWorkflowExecutionRequest r, PayloadLimits limits)
    {
        if (r.Request is null)
        {
            throw new InvalidArgumentException("Request is not set on request.");
        }
        r.Request.Meta ??= new Temporalio.Api.Update.V1.Meta();
        if (string.IsNullOrEmpty(r.Request.Meta.UpdateId))
        {
            r.Request.Meta.UpdateId = Guid.NewGuid().ToString(); // as Temporal's frontend: the update gets an id
        }
        var updateId = r.Request.Meta.UpdateId;
        if (string.IsNullOrEmpty(r.Request.Input?.Name))
        {
            throw new InvalidArgumentException("Update name is not set on request.");
        }
        RequestChecks.CheckLength(updateId, "UpdateId");
        RequestChecks.CheckBlob(limits, r.Request.Input.Args, "update args");
        RequestChecks.CheckBlob(limits, r.Request.Input.Header, "header");
        return updateId;
    }
}
