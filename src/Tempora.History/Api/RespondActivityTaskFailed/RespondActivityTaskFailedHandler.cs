using Tempora.Core;
using Tempora.History.Execution;
using Tempora.History.Updates;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Failure.V1;

namespace Tempora.History.Api;

internal sealed class RespondActivityTaskFailedHandler(WorkflowUpdater updater, PayloadLimits limits)
{
    public async Task HandleAsync(TaskToken token, Failure? failure, Payloads? lastHeartbeatDetails, string identity, CancellationToken ct,
        WorkerVersionStamp? workerVersion = null)
    {
        if (limits.IsBlobTooLarge(failure))
        {
            failure = Transition.ServerFailure("Failure exceeds size limit.");
        }
        if (limits.IsBlobTooLarge(lastHeartbeatDetails))
        {
            // As Temporal's frontend: heartbeat details too large to keep are dropped, the failure is still recorded.
            lastHeartbeatDetails = null;
        }
        failure ??= new Failure { Message = "activity failed without a failure" };
        await updater.UpdateAsync(token.Key, t =>
        {
            var a = ActivityTasks.ForToken(t.State, token);
            t.FailActivityAttempt(a, failure, lastHeartbeatDetails, identity, workerVersion);
            return 0;
        }, ct);
    }
}
