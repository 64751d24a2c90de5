using Tempora.Core.Errors;
using Tempora.History.Execution;
using Tempora.History.Updates;
using Tempora.Persistence;
using Temporalio.Api.Common.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History.Api;

/// <summary>
/// Completes an activity addressed by id. One not started yet is completed too: its Started event is written with
/// the completion, as Temporal fabricates it for a forced completion.
/// </summary>
internal sealed class RespondActivityTaskCompletedByIdHandler(RunResolver runs, WorkflowUpdater updater, PayloadLimits limits)
{
    public async Task HandleAsync(NamespaceRecord ns, RespondActivityTaskCompletedByIdRequest r, CancellationToken ct)
    {
        // The activity id was checked by the frontend (ActivityByIdValidation).
        var key = await runs.ResolveAsync(ns.Id, new WorkflowExecution { WorkflowId = r.WorkflowId, RunId = r.RunId }, null, ct);
        var tooLarge = limits.IsBlobTooLarge(r.Result);
        await updater.UpdateAsync(key, t =>
        {
            if (!t.State.IsOpen)
            {
                throw new EntityNotFoundException(ErrorMessages.AlreadyCompleted);
            }
            var a = t.State.Activities.Values.FirstOrDefault(x => x.ActivityId == r.ActivityId)
                ?? throw new EntityNotFoundException(ErrorMessages.ActivityNotFound);
            if (!a.IsStarted)
            {
                t.StartActivityForCompletion(a, r.Identity);
            }
            if (tooLarge)
            {
                t.FailActivityAttempt(a, Transition.ServerFailure("Complete result exceeds size limit."), null, r.Identity);
            }
            else
            {
                t.CompleteActivity(a, r.Result, r.Identity);
            }
            return 0;
        }, ct);
    }
}
