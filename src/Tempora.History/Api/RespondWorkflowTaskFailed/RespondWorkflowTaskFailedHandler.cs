using Tempora.Core;
using Tempora.History.Updates;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History.Api;

internal sealed class RespondWorkflowTaskFailedHandler(WorkflowUpdater updater, PayloadLimits limits)
{
    public async Task HandleAsync(RespondWorkflowTaskFailedRequest r, CancellationToken ct)
    {
        var token = TaskToken.Deserialize(r.TaskToken.Span);
        if (limits.IsBlobTooLarge(r.Failure))
        {
            // As Temporal: the task still fails, with a server failure in place of the one too large to record.
            r.Failure = WorkflowTaskFailures.Oversize(r.Failure);
        }
        await updater.UpdateAsync(token.Key, t =>
        {
            WorkflowTaskTokens.Check(t.State, token);
            var wft = t.State.WorkflowTask!;
            t.FailWorkflowTask(e =>
            {
                WorkflowTaskFailures.Event(e, wft, r.Cause, r.Failure, r.Identity);
                // Which worker build failed it, as Temporal records it.
                e.WorkflowTaskFailedEventAttributes.BinaryChecksum = r.BinaryChecksum;
#pragma warning disable CS0612 // deprecated in the API, still sent by SDKs and recorded by Temporal
                e.WorkflowTaskFailedEventAttributes.WorkerVersion = r.WorkerVersion;
#pragma warning restore CS0612
                return e;
            });
            return 0;
        }, ct);
    }
}
