using Tempora.Core.Errors;
using Tempora.History.Execution;
using Tempora.History.Updates;
using Tempora.Persistence;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Workflow.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History.Api;

/// <summary>
/// ResetWorkflowExecution, as Temporal's workflow resetter does it: a new run whose history is the base run's up to
/// the reset point (replayed through the same event application as live handling), then the pending workflow task
/// failed with RESET_WORKFLOW, the signals and updates written after that point (in the base run and the runs that
/// followed it by continue-as-new) reapplied, the post-reset operations, and a new workflow task. The current run,
/// if still running, is terminated in the same transaction; the new run becomes current.
/// </summary>
internal sealed class ResetWorkflowExecutionHandler(
    IExecutionStore store, RunResolver resolver, WorkflowUpdater updater, HistoryReader history)
{
    /// <summary>How often a reset starts over when the run changed between reading its history and writing.</summary>
    private const int ResetAttempts = 5;

    public async Task<ResetWorkflowExecutionResponse> HandleAsync(NamespaceRecord ns, ResetWorkflowExecutionRequest r, CancellationToken ct)
    {
        // The request's fields were checked by the frontend (ResetWorkflowExecutionValidation).
        var (excludeSignals, excludeUpdates) = ResetExclusions.Of(r);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryResetAsync(ns, r, excludeSignals, excludeUpdates, ct);
            }
            catch (RunChangedException) when (attempt < ResetAttempts)
            {
                // An event landed on the current run after its history was read: read again.
            }
        }
    }

    private async Task<ResetWorkflowExecutionResponse> TryResetAsync(NamespaceRecord ns, ResetWorkflowExecutionRequest r,
        bool excludeSignals, bool excludeUpdates, CancellationToken ct)
    {
        var baseKey = await resolver.ResolveAsync(ns.Id, r.WorkflowExecution, null, ct);
        var baseNextEventId = await updater.ReadAsync(baseKey, (s, _) => s.NextEventId, ct);
        if (r.WorkflowTaskFinishEventId <= 1 || r.WorkflowTaskFinishEventId >= baseNextEventId)
        {
            throw new InvalidArgumentException("Workflow task finish ID must be > 1 && <= workflow last event ID.");
        }
        var current = await store.GetCurrentExecutionAsync(ns.Id, baseKey.WorkflowId, ct)
            ?? throw new EntityNotFoundException($"workflow not found for ID: {baseKey.WorkflowId}");
        if (!string.IsNullOrEmpty(r.RequestId) && current.CreateRequestId == r.RequestId)
        {
            return new ResetWorkflowExecutionResponse { RunId = current.RunId }; // a retry of the reset that made the current run
        }
        var currentKey = baseKey with { RunId = current.RunId };

        // What to replay (the base run up to the reset point) and what to reapply: the base run's later events, then
        // those of the runs that followed it by continue-as-new, up to the current run.
        var baseEvents = await history.ReadEventsAsync(baseKey, 1, baseNextEventId, ct);
        var prefix = baseEvents.FindAll(e => e.EventId < r.WorkflowTaskFinishEventId);
        var later = baseEvents.FindAll(e => e.EventId >= r.WorkflowTaskFinishEventId);
        var lastRead = (Key: baseKey, NextEventId: baseNextEventId);
        var runs = 0;
        while (later.Count > 0 && later[^1].EventType == EventType.WorkflowExecutionContinuedAsNew && ++runs < 100)
        {
            var nextKey = baseKey with { RunId = later[^1].WorkflowExecutionContinuedAsNewEventAttributes.NewExecutionRunId };
            var nextEventId = await updater.ReadAsync(nextKey, (s, _) => s.NextEventId, ct);
            later.AddRange(await history.ReadEventsAsync(nextKey, 1, nextEventId, ct));
            lastRead = (nextKey, nextEventId);
        }

        if (MutableStateRebuilder.Rebuild(MutableState.ForNewRun(ns.Id, baseKey.WorkflowId, baseKey.RunId, "", default), prefix).WorkflowTask is null)
        {
            throw new InvalidArgumentException(
                $"Can only reset workflow to event ID in range [WorkflowTaskScheduled +1, WorkflowTaskStarted + 1]: {r.WorkflowTaskFinishEventId}");
        }
        var newRunId = Guid.NewGuid().ToString();
        var requestId = string.IsNullOrEmpty(r.RequestId) ? Guid.NewGuid().ToString() : r.RequestId;
        var reason = string.IsNullOrEmpty(r.Reason) ? "reset" : r.Reason;
        if (baseKey != currentKey)
        {
            // A child of the base run reports its close there; the base run passes it on to the run that carries on.
            await updater.UpdateAsync(baseKey, t =>
            {
                t.State.ResetRunId = newRunId;
                t.MarkChanged();
                return 0;
            }, ct);
        }
        await updater.UpdateAsync(currentKey, t =>
        {
            if (lastRead.Key == currentKey && t.State.NextEventId != lastRead.NextEventId)
            {
                throw new RunChangedException();
            }
            var next = t.BeginResetRun(newRunId, requestId, prefix, baseKey.RunId, reason);
            if (baseKey == currentKey)
            {
                t.State.ResetRunId = newRunId;
            }
            var firstTerminationEvent = t.NewEvents.Count;
            if (t.State.IsOpen)
            {
                t.Terminate(reason, null, Transition.ResetterIdentity, successor: true,
                    reset: baseKey == currentKey ? next.Handover() : new ResetHandover(new HashSet<long>()));
            }
            else
            {
                t.MarkChanged();
            }
            // Signals buffered in the current run were written by its termination: they are carried over too.
            var terminationEvents = lastRead.Key == currentKey ? t.NewEvents.Skip(firstTerminationEvent) : [];
            foreach (var e in later.Concat(terminationEvents))
            {
                next.ReapplyAfterReset(e, excludeSignals, excludeUpdates);
            }
            foreach (var operation in r.PostResetOperations)
            {
                if (operation.UpdateWorkflowOptions is { } options)
                {
                    next.MergeVersioningOverride(options.WorkflowExecutionOptions?.VersioningOverride, options.UpdateMask?.Paths ?? []);
                    continue;
                }
                var signal = operation.SignalWorkflow;
                next.Signal(signal.SignalName, signal.Input, r.Identity, signal.Header, "", skipWorkflowTask: true);
            }
            next.FinishResetRun();
            return 0;
        }, ct);
        return new ResetWorkflowExecutionResponse { RunId = newRunId };
    }

    /// <summary>The current run moved on between reading its history and resetting it.</summary>
    private sealed class RunChangedException : Exception;
}
