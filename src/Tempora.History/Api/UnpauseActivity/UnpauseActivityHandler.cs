using Tempora.History.Updates;
using Tempora.Persistence;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History.Api;

/// <summary>
/// Unpauses the activity named by id, every paused one of a type, or every paused one (<c>unpause_all</c>, which 1.28
/// declares but answers NotFound; the batch operation that sends it means all). Activities not paused are left alone.
/// </summary>
internal sealed class UnpauseActivityHandler(RunResolver runs, WorkflowUpdater updater)
{
    public async Task HandleAsync(NamespaceRecord ns, UnpauseActivityRequest r, CancellationToken ct)
    {
        var key = await runs.ResolveAsync(ns.Id, r.Execution, null, ct);
        var jitter = r.Jitter?.ToTimeSpan() ?? TimeSpan.Zero;
        await updater.UpdateAsync(key, t =>
        {
            ActivitySelection.RequireOpen(t.State); // Temporal checks the run first here
            foreach (var a in ActivitySelection.Select(t.State, r.HasId ? r.Id : null, r.HasType ? r.Type : null, r.UnpauseAll))
            {
                t.UnpauseActivity(a, r.ResetAttempts, r.ResetHeartbeat, jitter);
            }
            return 0;
        }, ct);
    }
}
