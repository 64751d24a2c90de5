using Tempora.Persistence;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History.Api;

internal sealed class PollWorkflowExecutionUpdateHandler(RunResolver runs, UpdateWaiter waiter)
{
    public async Task<PollWorkflowExecutionUpdateResponse> HandleAsync(NamespaceRecord ns, PollWorkflowExecutionUpdateRequest r,
        TimeSpan maxWait, CancellationToken ct)
    {
        // The frontend checked that the update id and workflow id are set (ReadRequestsValidation).
        var updateId = r.UpdateRef.UpdateId;
        var key = await runs.ResolveAsync(ns.Id, r.UpdateRef.WorkflowExecution, null, ct);
        var stage = r.WaitPolicy?.LifecycleStage ?? UpdateWorkflowExecutionLifecycleStage.Unspecified;
        var response = await waiter.WaitAsync(key, updateId, stage, maxWait, ct);
        return new PollWorkflowExecutionUpdateResponse { Outcome = response.Outcome, Stage = response.Stage, UpdateRef = response.UpdateRef };
    }
}
