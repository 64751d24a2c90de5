using Tempora.Core.Errors;
using Tempora.History.Execution;
using Tempora.History.Updates;
using Tempora.Persistence;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History.Api;

/// <summary>
/// Workflow updates (temporal-compat.md §5.11). An update is admitted in memory, delivered to the worker as a
/// protocol message in the next workflow task, and accepted (WorkflowExecutionUpdateAccepted), rejected (no event)
/// or completed (WorkflowExecutionUpdateCompleted) by the worker's reply. Callers wait for the stage they asked for.
/// A task scheduled only to deliver updates is speculative: kept in memory, and dropped without a trace when the
/// worker rejects every update in it.
/// </summary>
internal sealed class UpdateWorkflowExecutionHandler(RunResolver runs, WorkflowUpdater updater, UpdateWaiter waiter)
{
    public async Task<UpdateWorkflowExecutionResponse> HandleAsync(NamespaceRecord ns, UpdateWorkflowExecutionRequest r,
        TimeSpan maxWait, CancellationToken ct)
    {
        var updateId = r.Request.Meta.UpdateId; // checked, and given if missing, by the frontend (UpdateWorkflowExecutionValidation)
        var key = await runs.ResolveAsync(ns.Id, r.WorkflowExecution, r.FirstExecutionRunId, ct);
        await updater.UpdateAsync(key, (t, ctx) =>
        {
            var s = t.State;
            if (!string.IsNullOrEmpty(r.FirstExecutionRunId) && s.FirstExecutionRunId != r.FirstExecutionRunId)
            {
                throw new EntityNotFoundException("workflow execution not found"); // the run is of another chain (upstream's check)
            }
            if (s.Updates.ContainsKey(updateId))
            {
                return 0; // admitted by an event or accepted already: attach to it
            }
            if (ctx.Updates.ContainsKey(updateId))
            {
                // The same update again (a client retry): attach, and make sure a workflow task will carry it, since
                // a speculative task is lost when the cached state is dropped.
                t.ScheduleSpeculativeWorkflowTask();
                return 0;
            }
            if (!s.IsOpen)
            {
                throw new EntityNotFoundException(ErrorMessages.AlreadyCompleted);
            }
            if (s.WorkflowTaskAttempt >= 3)
            {
                throw new WorkflowNotReadyException("Workflow task is failing; the update cannot be delivered until the workflow makes progress.");
            }
            if (InFlightUpdates(s, ctx) >= HistoryLimits.MaxInFlightUpdates)
            {
                // Upstream's registry.checkInFlightLimit; a retry of an update already in flight attached above.
                throw new ResourceExhaustedException(
                    $"limit on number of concurrent in-flight updates has been reached ({HistoryLimits.MaxInFlightUpdates})",
                    ResourceExhaustedCause.ConcurrentLimit, ResourceExhaustedScope.Namespace);
            }
            ctx.Updates[updateId] = new AdmittedUpdate(r.Request);
            t.ScheduleSpeculativeWorkflowTask(); // no-op when one is pending; that one will carry the update
            return 0;
        }, ct);
        var stage = r.WaitPolicy?.LifecycleStage ?? UpdateWorkflowExecutionLifecycleStage.Unspecified;
        return await waiter.WaitAsync(key, updateId, stage, maxWait, ct);
    }

    /// <summary>Updates admitted (not yet answered) or accepted and not completed.</summary>
    private static int InFlightUpdates(MutableState s, ExecutionContext ctx)
    {
        var count = 0;
        foreach (var admitted in ctx.Updates.Values)
        {
            if (admitted.Rejection is null && !admitted.Aborted)
            {
                count++;
            }
        }
        foreach (var record in s.Updates.Values)
        {
            if (record.CompletedEventId == 0)
            {
                count++;
            }
        }
        return count;
    }
}
