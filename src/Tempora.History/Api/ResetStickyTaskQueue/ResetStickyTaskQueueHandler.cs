using Tempora.History.Updates;
using Tempora.Persistence;
using Temporalio.Api.Common.V1;

namespace Tempora.History.Api;

internal sealed class ResetStickyTaskQueueHandler(RunResolver runs, WorkflowUpdater updater)
{
    /// <summary>Clears stickiness so the next workflow task goes to the normal queue with full history.</summary>
    public async Task HandleAsync(NamespaceRecord ns, WorkflowExecution execution, CancellationToken ct)
    {
        var key = await runs.ResolveAsync(ns.Id, execution, null, ct);
        await updater.UpdateAsync(key, t =>
        {
            if (t.State.StickyQueue is not null)
            {
                t.State.StickyQueue = null;
                t.MarkChanged();
            }
            return 0;
        }, ct);
    }
}
