using Tempora.History.Updates;
using Tempora.Persistence;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History.Api;

/// <summary>Resets the activity named by id, or every pending one of a type, to attempt 1 (Temporal's resetactivity).</summary>
internal sealed class ResetActivityHandler(RunResolver runs, WorkflowUpdater updater)
{
    public async Task HandleAsync(NamespaceRecord ns, ResetActivityRequest r, CancellationToken ct)
    {
        var key = await runs.ResolveAsync(ns.Id, r.Execution, null, ct);
        var jitter = r.Jitter?.ToTimeSpan() ?? TimeSpan.Zero;
        await updater.UpdateAsync(key, t =>
        {
            foreach (var a in ActivitySelection.Select(t.State, r.HasId ? r.Id : null, r.HasType ? r.Type : null))
            {
                t.ResetActivity(a, r.ResetHeartbeat, r.KeepPaused, r.RestoreOriginalOptions, jitter);
            }
            return 0;
        }, ct);
    }
}
