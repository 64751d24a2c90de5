using Tempora.Core;
using Tempora.History.Execution;
using Tempora.History.Updates;
using Temporalio.Api.Common.V1;

namespace Tempora.History.Api;

internal sealed class RespondActivityTaskCompletedHandler(WorkflowUpdater updater, PayloadLimits limits)
{
    public async Task HandleAsync(TaskToken token, Payloads? result, string identity, CancellationToken ct)
    {
        var tooLarge = limits.IsBlobTooLarge(result);
        await updater.UpdateAsync(token.Key, t =>
        {
            var a = ActivityTasks.ForToken(t.State, token);
            if (tooLarge)
            {
                // An oversize result becomes a non-retryable failure, as upstream does (§7).
                t.FailActivityAttempt(a, Transition.ServerFailure("Complete result exceeds size limit."), null, identity);
            }
            else
            {
                t.CompleteActivity(a, result, identity);
            }
            return 0;
        }, ct);
    }
}
