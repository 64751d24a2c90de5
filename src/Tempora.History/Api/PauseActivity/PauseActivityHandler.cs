using Tempora.History.Updates;
using Tempora.Persistence;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History.Api;

/// <summary>Pauses the activity named by id, or every pending one of a type (Temporal's pauseactivity).</summary>
internal sealed class PauseActivityHandler(RunResolver runs, WorkflowUpdater updater)
{
    public async Task HandleAsync(NamespaceRecord ns, PauseActivityRequest r, CancellationToken ct)
    {
        var key = await runs.ResolveAsync(ns.Id, r.Execution, null, ct);
        await updater.UpdateAsync(key, t =>
        {
            foreach (var a in ActivitySelection.Select(t.State, r.HasId ? r.Id : null, r.HasType ? r.Type : null))
            {
                t.PauseActivity(a, r.Identity, r.Reason);
            }
            return 0;
        }, ct);
    }
}
