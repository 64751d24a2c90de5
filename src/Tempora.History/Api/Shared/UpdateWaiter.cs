using Tempora.Core;
using Tempora.Core.Errors;
using Tempora.History.Updates;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Update.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History.Api;

/// <summary>Waits for an update to reach a stage of its life, for UpdateWorkflowExecution and PollWorkflowExecutionUpdate.</summary>
internal sealed class UpdateWaiter(WorkflowUpdater updater, HistoryReader history, TimeProvider time)
{
    private enum UpdateProgress
    {
        Unknown,
        Admitted,
        Accepted,
        Completed,
    }

    /// <summary>Waits until the update reaches <paramref name="wanted"/> (default: completed) or the wait ends, then reports its stage.</summary>
    public async Task<UpdateWorkflowExecutionResponse> WaitAsync(WorkflowKey key, string updateId,
        UpdateWorkflowExecutionLifecycleStage wanted, TimeSpan maxWait, CancellationToken ct)
    {
        if (wanted == UpdateWorkflowExecutionLifecycleStage.Unspecified)
        {
            wanted = UpdateWorkflowExecutionLifecycleStage.Completed;
        }
        // The deadline runs on the injected clock, so fake-clock tests can reach it without waiting.
        using var deadline = new CancellationTokenSource(maxWait, time);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        while (true)
        {
            var (progress, completedEventId, rejection, aborted, continued, changed) = await updater.ReadAsync(key, (s, ctx) =>
            {
                ctx.Updates.TryGetValue(updateId, out var admitted);
                var record = s.Updates.GetValueOrDefault(updateId);
                var p = record is { CompletedEventId: > 0 } || admitted?.Rejection is not null ? UpdateProgress.Completed
                    : record is { AcceptedEventId: > 0 } ? UpdateProgress.Accepted
                    : admitted is not null || record is { AdmittedEventId: > 0 } ? UpdateProgress.Admitted
                    : UpdateProgress.Unknown;
                return (p, record?.CompletedEventId ?? 0, admitted?.Rejection, admitted?.Aborted ?? false, admitted?.RunContinued ?? false,
                    ctx.Changed.Task);
            }, ct);
            if (aborted && continued)
            {
                // Upstream's AbortReasonWorkflowContinuing (consts.ErrWorkflowClosing): the SDKs retry it, and the retry
                // admits the update on the new run.
                throw new ResourceExhaustedException("workflow operation can not be applied because workflow is closing",
                    ResourceExhaustedCause.BusyWorkflow, ResourceExhaustedScope.Namespace);
            }
            if (aborted || (progress is UpdateProgress.Unknown or UpdateProgress.Admitted && await IsClosedAsync(key, ct)))
            {
                throw new EntityNotFoundException(ErrorMessages.AlreadyCompleted);
            }
            if (progress == UpdateProgress.Unknown)
            {
                throw new EntityNotFoundException($"update {updateId} not found");
            }
            if (progress == UpdateProgress.Accepted && await IsClosedAsync(key, ct))
            {
                // Accepted but the run closed first: upstream's server-side failure outcome.
                rejection = new Temporalio.Api.Update.V1.Outcome
                {
                    Failure = new Temporalio.Api.Failure.V1.Failure
                    {
                        Message = "Workflow Update failed because the Workflow completed before the Update completed.",
                        Source = "Server",
                        ApplicationFailureInfo = new Temporalio.Api.Failure.V1.ApplicationFailureInfo
                        {
                            Type = "AcceptedUpdateCompletedWorkflow",
                            NonRetryable = true,
                        },
                    },
                };
                progress = UpdateProgress.Completed;
            }
            var reached = progress switch
            {
                UpdateProgress.Completed => UpdateWorkflowExecutionLifecycleStage.Completed,
                UpdateProgress.Accepted => UpdateWorkflowExecutionLifecycleStage.Accepted,
                _ => UpdateWorkflowExecutionLifecycleStage.Admitted,
            };
            if (reached >= wanted || timeout.IsCancellationRequested)
            {
                var response = new UpdateWorkflowExecutionResponse
                {
                    UpdateRef = new UpdateRef
                    {
                        WorkflowExecution = new Temporalio.Api.Common.V1.WorkflowExecution { WorkflowId = key.WorkflowId, RunId = key.RunId },
                        UpdateId = updateId,
                    },
                    Stage = reached,
                };
                if (progress == UpdateProgress.Completed)
                {
                    response.Outcome = rejection ?? (await history.ReadEventsAsync(key, completedEventId, completedEventId + 1, ct))
                        .Single().WorkflowExecutionUpdateCompletedEventAttributes.Outcome;
                }
                return response;
            }
            try
            {
                await changed.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                // answer with the stage reached so far; the client asks again
            }
        }
    }

    private async Task<bool> IsClosedAsync(WorkflowKey key, CancellationToken ct) => await updater.ReadAsync(key, (s, _) => !s.IsOpen, ct);
}
