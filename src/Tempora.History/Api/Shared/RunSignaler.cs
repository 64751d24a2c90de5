using Tempora.Core;
using Tempora.Core.Errors;
using Tempora.History.Updates;
using Temporalio.Api.Common.V1;

namespace Tempora.History.Api;

/// <summary>Delivers a signal to one run (SignalWorkflowExecution, and signal-with-start on a running workflow).</summary>
internal sealed class RunSignaler(WorkflowUpdater updater)
{
    public Task SignalAsync(WorkflowKey key, string name, Payloads? input, string identity, Header? header, string requestId,
        bool skipWorkflowTask, CancellationToken ct, IEnumerable<Link>? links = null) => updater.UpdateAsync(key, t =>
        {
            if (!t.State.IsOpen)
            {
                throw new EntityNotFoundException(ErrorMessages.AlreadyCompleted);
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
}
