using Tempora.Persistence;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History.Api;

internal sealed class StartWorkflowExecutionHandler(WorkflowStarter starter)
{
    public async Task<StartWorkflowExecutionResponse> HandleAsync(NamespaceRecord ns, StartWorkflowExecutionRequest r, CancellationToken ct)
    {
        var spec = new StartSpec(r.WorkflowId, r.WorkflowType, r.TaskQueue, r.Input, r.WorkflowExecutionTimeout, r.WorkflowRunTimeout,
            r.WorkflowTaskTimeout, r.Identity, r.RequestId, r.WorkflowIdReusePolicy, r.WorkflowIdConflictPolicy, r.RetryPolicy,
            r.CronSchedule, r.Memo, r.SearchAttributes, r.Header, r.WorkflowStartDelay, r.Priority, r.UserMetadata)
        {
            ContinuedFailure = r.ContinuedFailure,
            LastCompletionResult = r.LastCompletionResult,
            Links = r.Links,
        };
        var (runId, started) = await starter.StartAsync(ns, spec, null, WorkflowIdConflictPolicy.Fail, ct);
        return new StartWorkflowExecutionResponse { RunId = runId, Started = started };
    }
}
