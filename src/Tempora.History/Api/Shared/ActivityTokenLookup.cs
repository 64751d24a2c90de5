using Tempora.Core;
using Tempora.Core.Errors;
using Tempora.History.Updates;
using Tempora.Persistence;
using Temporalio.Api.Common.V1;

namespace Tempora.History.Api;

/// <summary>Builds the token of the current attempt of an activity addressed by id (the *ById RPCs).</summary>
internal sealed class ActivityTokenLookup(RunResolver runs, WorkflowUpdater updater)
{
    public async Task<TaskToken> TokenByIdAsync(NamespaceRecord ns, string workflowId, string runId, string activityId, CancellationToken ct)
    {
        // The activity id was checked by the frontend (ActivityByIdValidation).
        var key = await runs.ResolveAsync(ns.Id, new WorkflowExecution { WorkflowId = workflowId, RunId = runId }, null, ct);
        return await updater.ReadAsync(key, (s, _) =>
        {
            if (!s.IsOpen)
            {
                throw new EntityNotFoundException(ErrorMessages.AlreadyCompleted);
            }
            foreach (var a in s.Activities.Values)
            {
                if (a.ActivityId == activityId)
                {
                    if (!a.IsStarted)
                    {
                        throw new EntityNotFoundException(ErrorMessages.ActivityNotFound);
                    }
                    return new TaskToken(ns.Id, key.WorkflowId, key.RunId, a.ScheduledEventId, a.Attempt, 0, a.StartedTime!.Value.UtcTicks, a.ActivityId);
                }
            }
            throw new EntityNotFoundException(ErrorMessages.ActivityNotFound);
        }, ct);
    }
}
