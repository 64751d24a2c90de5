using Tempora.Core.Errors;
using Tempora.History.Queues;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Failure.V1;
using Temporalio.Api.History.V1;

namespace Tempora.History.Execution;

internal sealed partial class Transition
{
    /// <summary>Identity of the events a reset writes, and of the terminations it causes (Temporal's names).</summary>
    public const string HistoryServiceIdentity = "history-service";
    public const string ResetterIdentity = "history-resetter";

    /// <summary>
    /// Starts the run a reset creates, as this transition's successor (written in the same transaction): the base
    /// run's history up to the reset point, copied and replayed through <see cref="EventApplier"/>; the workflow task
    /// pending there, started if it was only scheduled; and its failure with cause RESET_WORKFLOW naming both runs
    /// (Temporal's workflow resetter). The caller then reapplies later events (<see cref="ReapplyAfterReset"/>) and
    /// arms what is pending (<see cref="FinishResetRun"/>).
    /// </summary>
    internal Transition BeginResetRun(string newRunId, string requestId, IReadOnlyList<HistoryEvent> prefix, string baseRunId, string reason)
    {
        var next = new Transition(MutableState.ForNewRun(State.NamespaceId, State.WorkflowId, newRunId, requestId, Now), Now, taskIds, dispatcher) { Routing = Routing };
        var s = next.State;
        foreach (var e in prefix)
        {
            if (e.EventId != s.NextEventId)
            {
                throw new InvalidOperationException($"The base run's history is out of order at event {e.EventId}.");
            }
            var copy = e.Clone();
            next.AppendEvent(copy);
            EventApplier.Apply(s, copy);
        }
        if (s.WorkflowTask is not { } wft)
        {
            throw new InvalidArgumentException(
                $"Can only reset workflow to event ID in range [WorkflowTaskScheduled +1, WorkflowTaskStarted + 1]: {s.NextEventId}");
        }
        if (!wft.IsStarted)
        {
            var started = next.WorkflowTaskStartedEvent(wft.ScheduledEventId, Now, HistoryServiceIdentity, Guid.NewGuid().ToString(), targetVersionChanged: false);
            next.AppendEvent(started);
            EventApplier.Apply(s, started);
        }
        var failed = next.NewEvent(EventType.WorkflowTaskFailed);
        failed.WorkflowTaskFailedEventAttributes = new WorkflowTaskFailedEventAttributes
        {
            ScheduledEventId = wft.ScheduledEventId,
            StartedEventId = wft.StartedEventId,
            Cause = WorkflowTaskFailedCause.ResetWorkflow,
            Failure = new Failure { Message = reason, ResetWorkflowFailureInfo = new ResetWorkflowFailureInfo() },
            Identity = HistoryServiceIdentity,
            BaseRunId = baseRunId,
            NewRunId = newRunId,
        };
        next.AppendEvent(failed);
        EventApplier.Apply(s, failed);
        s.WorkflowTaskAttempt = 1;
        Successor = next;
        return next;
    }

    /// <summary>
    /// Carries one event that the base run (or a later run of its chain) wrote after the reset point into this reset
    /// run, as Temporal does: signals and updates unless excluded (an update comes back as admitted, for the worker to
    /// decide again), and what happened to a child this run still has pending. Cancel requests and terminations are
    /// not carried over, and neither is anything the workflow decided, since it decides again.
    /// </summary>
    internal void ReapplyAfterReset(HistoryEvent e, bool excludeSignals, bool excludeUpdates)
    {
        switch (e.EventType)
        {
            case EventType.WorkflowExecutionSignaled when !excludeSignals:
                var signal = e.WorkflowExecutionSignaledEventAttributes;
                if (string.IsNullOrEmpty(signal.RequestId) || !State.SignalRequestIds.Contains(signal.RequestId))
                {
                    Signal(signal.SignalName, signal.Input, signal.Identity, signal.Header, signal.RequestId, skipWorkflowTask: true,
                        signal.ExternalWorkflowExecution);
                }
                break;
            case EventType.WorkflowExecutionUpdateAdmitted when !excludeUpdates:
                AdmitUpdate(e.WorkflowExecutionUpdateAdmittedEventAttributes.Request);
                break;
            case EventType.WorkflowExecutionUpdateAccepted when !excludeUpdates:
                // Without a request the update was admitted by an event, which was reapplied already.
                if (e.WorkflowExecutionUpdateAcceptedEventAttributes.AcceptedRequest is { } request)
                {
                    AdmitUpdate(request);
                }
                break;
            case EventType.ChildWorkflowExecutionStarted:
                ReapplyChildEvent(e, e.ChildWorkflowExecutionStartedEventAttributes.InitiatedEventId);
                break;
            case EventType.StartChildWorkflowExecutionFailed:
                ReapplyChildEvent(e, e.StartChildWorkflowExecutionFailedEventAttributes.InitiatedEventId);
                break;
            case EventType.ChildWorkflowExecutionCompleted:
                ReapplyChildEvent(e, e.ChildWorkflowExecutionCompletedEventAttributes.InitiatedEventId);
                break;
            case EventType.ChildWorkflowExecutionFailed:
                ReapplyChildEvent(e, e.ChildWorkflowExecutionFailedEventAttributes.InitiatedEventId);
                break;
            case EventType.ChildWorkflowExecutionCanceled:
                ReapplyChildEvent(e, e.ChildWorkflowExecutionCanceledEventAttributes.InitiatedEventId);
                break;
            case EventType.ChildWorkflowExecutionTimedOut:
                ReapplyChildEvent(e, e.ChildWorkflowExecutionTimedOutEventAttributes.InitiatedEventId);
                break;
            case EventType.ChildWorkflowExecutionTerminated:
                ReapplyChildEvent(e, e.ChildWorkflowExecutionTerminatedEventAttributes.InitiatedEventId);
                break;
        }
    }

    /// <summary>Writes an update admitted by an event: the worker reads the request from history (no protocol message).</summary>
    private void AdmitUpdate(Temporalio.Api.Update.V1.Request request)
    {
        if (State.Updates.ContainsKey(request.Meta.UpdateId))
        {
            return;
        }
        var e = NewEvent(EventType.WorkflowExecutionUpdateAdmitted);
        e.WorkflowExecutionUpdateAdmittedEventAttributes = new WorkflowExecutionUpdateAdmittedEventAttributes
        {
            Request = request,
            Origin = UpdateAdmittedEventOrigin.Reapply,
        };
        WriteEvent(e);
    }

    /// <summary>A child this run kept pending was started or closed after the reset point: the same happens here.</summary>
    private void ReapplyChildEvent(HistoryEvent e, long initiatedEventId)
    {
        if (!State.Children.TryGetValue(initiatedEventId, out var child)
            || (e.EventType == EventType.ChildWorkflowExecutionStarted && child.Started))
        {
            return;
        }
        var copy = e.Clone();
        copy.EventTime = Time(Now);
        switch (copy.EventType)
        {
            case EventType.ChildWorkflowExecutionCompleted:
                copy.ChildWorkflowExecutionCompletedEventAttributes.StartedEventId = child.StartedEventId;
                break;
            case EventType.ChildWorkflowExecutionFailed:
                copy.ChildWorkflowExecutionFailedEventAttributes.StartedEventId = child.StartedEventId;
                break;
            case EventType.ChildWorkflowExecutionCanceled:
                copy.ChildWorkflowExecutionCanceledEventAttributes.StartedEventId = child.StartedEventId;
                break;
            case EventType.ChildWorkflowExecutionTimedOut:
                copy.ChildWorkflowExecutionTimedOutEventAttributes.StartedEventId = child.StartedEventId;
                break;
            case EventType.ChildWorkflowExecutionTerminated:
                copy.ChildWorkflowExecutionTerminatedEventAttributes.StartedEventId = child.StartedEventId;
                break;
        }
        WriteEvent(copy);
    }

    /// <summary>Children the reset run keeps pending: the run it replaces leaves them alone when it closes.</summary>
    internal ResetHandover Handover() => new(State.Children.Keys.ToHashSet());

    /// <summary>
    /// Arms what the reset run has pending, as Temporal's resetter does: activities start over from attempt 1 (their
    /// schedule time is now), timers keep their expiry, children not yet started and requests to other workflows are
    /// sent (with the base run's request ids, so nothing is done twice), Nexus operations not started yet are requested
    /// again and started ones keep their timeout, then a workflow task and the run timeout.
    /// </summary>
    internal void FinishResetRun()
    {
        foreach (var activity in State.Activities.Values)
        {
            activity.ScheduledTime = Now;
            DispatchActivityAttempt(activity);
            ArmScheduleToCloseTimeout(activity);
        }
        foreach (var timer in State.Timers.Values)
        {
            timer.TaskId = AddTimer(timer.ExpiryTime, new TimerTaskInfo(TimerTaskKind.UserTimer, timer.StartedEventId, TimerId: timer.TimerId));
        }
        foreach (var child in State.Children.Values)
        {
            if (!child.Started)
            {
                AddTransferTask(new TransferTaskInfo(TransferTaskKind.StartChild, child.InitiatedEventId));
            }
        }
        foreach (var request in State.ExternalRequests.Values)
        {
            var kind = request.Initiated.EventType == EventType.SignalExternalWorkflowExecutionInitiated
                ? TransferTaskKind.SignalExternal
                : TransferTaskKind.CancelExternal;
            AddTransferTask(new TransferTaskInfo(kind, request.InitiatedEventId));
        }
        foreach (var op in State.NexusOperations.Values)
        {
            // A start request is sent again (the same request id: the handler finds what it started); a started
            // operation's result comes by its callback, which follows the reset to this run.
            if (!op.IsStarted)
            {
                op.State = NexusOperationState.Scheduled;
                op.Attempt = 1;
                op.NextAttemptScheduleTime = null;
                op.RetryTimerTaskId = 0;
                ArmNexusOperation(op);
            }
            else
            {
                // Started: its start-to-close counts from now, as an activity's attempt does after a reset.
                ArmNexusTimeouts(op);
                ArmStartToCloseTimeout(op);
            }
            if (op.CancelRequestedEventId > 0)
            {
                op.Cancellation = null;
                RequestNexusCancellation(op);
            }
        }
        ScheduleWorkflowTask();
        ArmRunTimeout();
    }
}
