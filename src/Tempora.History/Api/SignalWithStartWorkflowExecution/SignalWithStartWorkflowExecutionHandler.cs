using Tempora.Core.Errors;
using Tempora.Persistence;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History.Api;

internal sealed class SignalWithStartWorkflowExecutionHandler(WorkflowStarter starter, PayloadLimits limits)
{
    public async Task<SignalWithStartWorkflowExecutionResponse> HandleAsync(
        NamespaceRecord ns, SignalWithStartWorkflowExecutionRequest r, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(r.SignalName))
        {
            throw new InvalidArgumentException("SignalName is not set on request.");
        }
        RequestChecks.CheckLength(r.SignalName, "SignalName");
        RequestChecks.CheckBlob(limits, r.SignalInput, "signal input");
        if (r.WorkflowIdConflictPolicy == WorkflowIdConflictPolicy.Fail)
        {
            throw new InvalidArgumentException("SignalWithStartWorkflowExecution doesn't accept WorkflowIdConflictPolicy FAIL.");
        }
        var spec = new StartSpec(r.WorkflowId, r.WorkflowType, r.TaskQueue, r.Input, r.WorkflowExecutionTimeout, r.WorkflowRunTimeout,
            r.WorkflowTaskTimeout, r.Identity, r.RequestId, r.WorkflowIdReusePolicy, r.WorkflowIdConflictPolicy, r.RetryPolicy,
            r.CronSchedule, r.Memo, r.SearchAttributes, r.Header, r.WorkflowStartDelay, r.Priority, r.UserMetadata)
        {
            Links = r.Links,
        };
        var (runId, started) = await starter.StartAsync(ns, spec, new StartSignal(r.SignalName, r.SignalInput, r.Header),
            WorkflowIdConflictPolicy.UseExisting, ct);
        return new SignalWithStartWorkflowExecutionResponse { RunId = runId, Started = started };
    }
}
