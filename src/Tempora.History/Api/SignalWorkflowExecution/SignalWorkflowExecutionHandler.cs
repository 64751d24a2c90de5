using Tempora.Core.Errors;
using Tempora.Persistence;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History.Api;

internal sealed class SignalWorkflowExecutionHandler(RunResolver runs, RunSignaler signaler, PayloadLimits limits)
{
    public async Task HandleAsync(NamespaceRecord ns, SignalWorkflowExecutionRequest r, CancellationToken ct)
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
        var key = await runs.ResolveAsync(ns.Id, r.WorkflowExecution, null, ct);
        await signaler.SignalAsync(key, r.SignalName, r.Input, r.Identity, r.Header, r.RequestId, false, ct, r.Links);
    }
}
