using Tempora.Core;
using Tempora.Core.Errors;
using Tempora.Persistence;
using Temporalio.Api.Common.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History;

public sealed partial class HistoryEngine
{
    private const string AlreadyCompleted = "workflow execution already completed";

    public async Task SignalWorkflowExecutionAsync(NamespaceRecord ns, SignalWorkflowExecutionRequest r, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(r.SignalName))
        {
            throw new InvalidArgumentException("SignalName is not set on request.");
        }
        CheckLength(r.SignalName, "SignalName");
        CheckLength(r.RequestId, "RequestId");
        CheckBlob(r.Input, "signal input");
        CheckBlob(r.Header, "header");
        RequestLinks.Validate(r.Links);
        var key = await ResolveAsync(ns.Id, r.WorkflowExecution, null, ct);
        await SignalRunAsync(key, r.SignalName, r.Input, r.Identity, r.Header, r.RequestId, false, ct, r.Links);
    }

    private Task SignalRunAsync(WorkflowKey key, string name, Payloads? input, string identity, Header? header, string requestId,
        bool skipWorkflowTask, CancellationToken ct, IEnumerable<Link>? links = null) => UpdateAsync(key, t =>
        {
            if (!t.State.IsOpen)
            {
                throw new EntityNotFoundException(AlreadyCompleted);
            }
            if (!string.IsNullOrEmpty(requestId) && t.State.SignalRequestIds.Contains(requestId))
            {
                return 0; // a retried signal: delivered once already
            }
            if (t.State.SignalCount >= HistoryLimits.SignalsPerExecution)
            {
                throw new InvalidArgumentException("exceeded workflow execution limit for signal events");
            }
            t.Signal(name, input, identity, header, requestId, skipWorkflowTask, links: links);
            return 0;
        }, ct);

    public async Task RequestCancelWorkflowExecutionAsync(NamespaceRecord ns, RequestCancelWorkflowExecutionRequest r, CancellationToken ct)
    {
        RequestLinks.Validate(r.Links);
        var key = await ResolveAsync(ns.Id, AcrossRuns(r.WorkflowExecution, r.FirstExecutionRunId), r.FirstExecutionRunId, ct);
        await UpdateAsync(key, t =>
        {
            // Already requested or already closed: success without change, as current upstream answers.
            if (t.State.IsOpen && !t.State.CancelRequested)
            {
                t.RequestCancel(r.Reason, r.Identity, links: r.Links);
            }
            return 0;
        }, ct);
    }

    public async Task TerminateWorkflowExecutionAsync(NamespaceRecord ns, TerminateWorkflowExecutionRequest r, CancellationToken ct)
    {
        CheckBlob(r.Details, "details");
        RequestLinks.Validate(r.Links);
        var key = await ResolveAsync(ns.Id, AcrossRuns(r.WorkflowExecution, r.FirstExecutionRunId), r.FirstExecutionRunId, ct);
        await TerminateRunAsync(key, r.Reason, r.Details, r.Identity, ct, r.Links);
    }

    /// <summary>
    /// With first_execution_run_id, cancel and terminate address the chain's current run whatever run id is given
    /// (as Temporal does), and only if that run belongs to the chain.
    /// </summary>
    private static WorkflowExecution? AcrossRuns(WorkflowExecution? execution, string firstExecutionRunId) =>
        string.IsNullOrEmpty(firstExecutionRunId) || execution is null ? execution : new WorkflowExecution { WorkflowId = execution.WorkflowId };

    private Task TerminateRunAsync(WorkflowKey key, string reason, Payloads? details, string identity, CancellationToken ct,
        IEnumerable<Link>? links = null) =>
        UpdateAsync(key, t =>
        {
            if (!t.State.IsOpen)
            {
                throw new EntityNotFoundException(AlreadyCompleted);
            }
            t.Terminate(reason, details, identity, links: links);
            return 0;
        }, ct);
}
