using Tempora.Core;
using Tempora.Core.Errors;
using Tempora.History.Updates;
using Temporalio.Api.Common.V1;

namespace Tempora.History.Api;

internal sealed class RespondActivityTaskCanceledHandler(WorkflowUpdater updater, PayloadLimits limits)
{
    public async Task HandleAsync(TaskToken token, Payloads? details, string identity, CancellationToken ct)
    {
        if (limits.IsBlobTooLarge(details))
        {
            throw new InvalidArgumentException("Details exceed size limit.");
        }
        await updater.UpdateAsync(token.Key, t =>
        {
            var a = ActivityTasks.ForToken(t.State, token);
            if (!a.CancelRequested)
            {
                throw new InvalidArgumentException("unable to mark activity as canceled without activity being request canceled first");
            }
            t.CancelActivity(a, details, identity);
            return 0;
        }, ct);
    }
}
