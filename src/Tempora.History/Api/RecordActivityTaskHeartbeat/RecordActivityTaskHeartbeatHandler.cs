using Tempora.Core;
using Tempora.History.Execution;
using Tempora.History.Updates;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History.Api;

internal sealed class RecordActivityTaskHeartbeatHandler(WorkflowUpdater updater, RespondActivityTaskFailedHandler failed, PayloadLimits limits)
{
    public async Task<RecordActivityTaskHeartbeatResponse> HandleAsync(RecordActivityTaskHeartbeatRequest r, CancellationToken ct)
    {
        var token = TaskToken.Deserialize(r.TaskToken.Span);
        if (limits.IsBlobTooLarge(r.Details))
        {
            // As Temporal: details too large to keep fail the attempt, and the worker is told to stop (cancel requested).
            await failed.HandleAsync(token, Transition.ServerFailure("Heartbeat details exceed size limit."), null, r.Identity, ct);
            return new RecordActivityTaskHeartbeatResponse { CancelRequested = true };
        }
        return await updater.UpdateAsync(token.Key, t =>
        {
            var a = ActivityTasks.ForToken(t.State, token);
            t.RecordActivityHeartbeat(a, r.Details, r.Identity);
            // An operator's pause or reset reaches a running attempt here (the SDKs cancel it with that reason).
            return new RecordActivityTaskHeartbeatResponse
            {
                CancelRequested = a.CancelRequested,
                ActivityPaused = a.Paused,
                ActivityReset = a.ResetRequested,
            };
        }, ct);
    }
}
