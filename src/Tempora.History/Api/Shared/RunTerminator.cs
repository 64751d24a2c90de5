using Tempora.Core;
using Tempora.Core.Errors;
using Tempora.History.Updates;
using Temporalio.Api.Common.V1;

namespace Tempora.History.Api;

/// <summary>Terminates one open run (TerminateWorkflowExecution, a start that terminates the existing run, deletion).</summary>
internal sealed class RunTerminator(WorkflowUpdater updater)
{
    public Task TerminateAsync(WorkflowKey key, string reason, Payloads? details, string identity, CancellationToken ct,
        IEnumerable<Link>? links = null) =>
        updater.UpdateAsync(key, t =>
        {
            if (!t.State.IsOpen)
            {
                throw new EntityNotFoundException(ErrorMessages.AlreadyCompleted);
            }
            t.Terminate(reason, details, identity, links: links);
            return 0;
        }, ct);
}
