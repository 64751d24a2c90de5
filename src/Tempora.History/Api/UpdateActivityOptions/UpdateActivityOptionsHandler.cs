using Tempora.Core.Errors;
using Tempora.History.Execution;
using Tempora.History.Updates;
using Tempora.Persistence;
using Temporalio.Api.Activity.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History.Api;

/// <summary>
/// Changes the options of the activity named by id, or of every pending one of a type, for its current attempt and
/// those after it; or gives them back the options their ActivityTaskScheduled event set (<c>restore_original</c>).
/// Answers the options of the last activity changed, as Temporal does.
/// </summary>
internal sealed class UpdateActivityOptionsHandler(RunResolver runs, WorkflowUpdater updater)
{
    public async Task<UpdateActivityOptionsResponse> HandleAsync(NamespaceRecord ns, UpdateActivityOptionsRequest r, CancellationToken ct)
    {
        var key = await runs.ResolveAsync(ns.Id, r.Execution, null, ct);
        var id = r.HasId ? r.Id : null;
        var type = r.HasType ? r.Type : null;
        return await updater.UpdateAsync(key, t =>
        {
            ActivityOptions? options = null;
            if (r.RestoreOriginal)
            {
                foreach (var a in ActivitySelection.Select(t.State, id, type))
                {
                    t.UpdateActivityOptions(a, a.OriginalOptions ?? Transition.OptionsOf(a));
                    options = Transition.OptionsOf(a);
                }
                return new UpdateActivityOptionsResponse { ActivityOptions = options };
            }
            // Temporal's order: the run, the options, the activities, then the mask.
            ActivitySelection.RequireOpen(t.State);
            var from = r.ActivityOptions ?? throw new InvalidArgumentException("ActivityOptions are not provided");
            var activities = ActivitySelection.Select(t.State, id, type);
            var paths = ActivityOptionsMerge.Paths(r.UpdateMask ?? throw new InvalidArgumentException("UpdateMask is not provided"));
            foreach (var a in activities)
            {
                options = ActivityOptionsMerge.Merge(a, from, paths);
                t.UpdateActivityOptions(a, options);
            }
            return new UpdateActivityOptionsResponse { ActivityOptions = options };
        }, ct);
    }
}
