using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Failure.V1;
using Temporalio.Api.History.V1;
using Tempora.History.Nexus;
using Tempora.History.Queues;

namespace Tempora.History.Execution;

internal sealed partial class Transition
{
    /// <summary>
    /// Arms what a newly scheduled Nexus operation needs: its first start request, at once, and its schedule-to-close
    /// timeout (components/nexusoperations: InvocationTask and TimeoutTask).
    /// </summary>
    public void ArmNexusOperation(NexusOperationInfo op)
    {
        AddTransferTask(new TransferTaskInfo(TransferTaskKind.InvokeNexusOperation, op.ScheduledEventId) { Attempt = op.Attempt });
        ArmNexusTimeouts(op);
    }

    /// <summary>The schedule-to-close and schedule-to-start timeouts of an operation not started (a new one, or one a
    /// reset requests again): both count from its schedule time.</summary>
    internal void ArmNexusTimeouts(NexusOperationInfo op)
    {
        if (op.ScheduleToCloseTimeout > TimeSpan.Zero)
        {
            op.TimeoutTimerTaskId = AddTimer(op.ScheduledTime + op.ScheduleToCloseTimeout,
                new TimerTaskInfo(TimerTaskKind.NexusOperationTimeout, op.ScheduledEventId, TimeoutType: TimeoutType.ScheduleToClose));
        }
        if (op.ScheduleToStartTimeout > TimeSpan.Zero && !op.IsStarted)
        {
            op.ScheduleToStartTimerTaskId = AddTimer(op.ScheduledTime + op.ScheduleToStartTimeout,
                new TimerTaskInfo(TimerTaskKind.NexusOperationTimeout, op.ScheduledEventId, TimeoutType: TimeoutType.ScheduleToStart));
        }
    }

    /// <summary>A started operation's start-to-close timeout, counted from now (its start, or a reset that keeps it).</summary>
    internal void ArmStartToCloseTimeout(NexusOperationInfo op)
    {
        if (op.StartToCloseTimeout > TimeSpan.Zero)
        {
            op.StartToCloseTimerTaskId = AddTimer(Now + op.StartToCloseTimeout,
                new TimerTaskInfo(TimerTaskKind.NexusOperationTimeout, op.ScheduledEventId, TimeoutType: TimeoutType.StartToClose));
        }
    }

    /// <summary>The handler started the operation asynchronously: its result comes by the completion callback.</summary>
    public void RecordNexusOperationStarted(NexusOperationInfo op, string operationToken, IEnumerable<Link> links)
    {
        var e = NewEvent(EventType.NexusOperationStarted, links);
        e.NexusOperationStartedEventAttributes = new NexusOperationStartedEventAttributes
        {
            ScheduledEventId = op.ScheduledEventId,
            OperationId = operationToken,
            OperationToken = operationToken,
            RequestId = op.RequestId,
        };
        op.LastAttemptCompleteTime = Now;
        op.LastAttemptFailure = null;
        AddWorkflowEvent(e);
        DeleteTimer(op.ScheduleToStartTimerTaskId);
        op.ScheduleToStartTimerTaskId = 0;
        ArmStartToCloseTimeout(op);
        if (op.Cancellation is { State: NexusCancellationState.Pending })
        {
            ScheduleNexusCancellation(op);
        }
    }

    public void RecordNexusOperationCompleted(NexusOperationInfo op, Payload? result, IEnumerable<Link> links)
    {
        var e = NewEvent(EventType.NexusOperationCompleted, links);
        e.NexusOperationCompletedEventAttributes = new NexusOperationCompletedEventAttributes
        {
            ScheduledEventId = op.ScheduledEventId,
            Result = result,
            RequestId = op.RequestId,
        };
        EndNexusOperation(op, e);
    }

    /// <summary>The operation failed; <paramref name="cause"/> is what failed it, wrapped as Temporal wraps it.</summary>
    public void RecordNexusOperationFailed(NexusOperationInfo op, Failure cause)
    {
        var e = NewEvent(EventType.NexusOperationFailed);
        e.NexusOperationFailedEventAttributes = new NexusOperationFailedEventAttributes
        {
            Failure = NexusFailures.OperationFailure(op, cause),
            ScheduledEventId = op.ScheduledEventId,
            RequestId = op.RequestId,
        };
        EndNexusOperation(op, e);
    }

    public void RecordNexusOperationCanceled(NexusOperationInfo op, Failure cause)
    {
        var e = NewEvent(EventType.NexusOperationCanceled);
        e.NexusOperationCanceledEventAttributes = new NexusOperationCanceledEventAttributes
        {
            Failure = NexusFailures.OperationFailure(op, cause),
            ScheduledEventId = op.ScheduledEventId,
            RequestId = op.RequestId,
        };
        EndNexusOperation(op, e);
    }

    public void RecordNexusOperationTimedOut(NexusOperationInfo op, TimeoutType type = TimeoutType.ScheduleToClose)
    {
        var e = NewEvent(EventType.NexusOperationTimedOut);
        e.NexusOperationTimedOutEventAttributes = new NexusOperationTimedOutEventAttributes
        {
            Failure = NexusFailures.OperationFailure(op, new Failure
            {
                Message = "operation timed out",
                TimeoutFailureInfo = new TimeoutFailureInfo { TimeoutType = type },
            }),
            ScheduledEventId = op.ScheduledEventId,
            RequestId = op.RequestId,
        };
        EndNexusOperation(op, e);
    }

    private void EndNexusOperation(NexusOperationInfo op, HistoryEvent e)
    {
        DeleteTimer(op.TimeoutTimerTaskId);
        DeleteTimer(op.ScheduleToStartTimerTaskId);
        DeleteTimer(op.StartToCloseTimerTaskId);
        DeleteTimer(op.RetryTimerTaskId);
        DeleteTimer(op.Cancellation?.RetryTimerTaskId ?? 0);
        AddWorkflowEvent(e);
    }

    /// <summary>
    /// A start request failed retryably (a handler error that may be retried, or no answer in time): the next one is
    /// sent after a backoff, with no event, as in Temporal (the failure shows in the pending operation).
    /// </summary>
    public void NexusOperationAttemptFailed(NexusOperationInfo op, Failure failure)
    {
        op.State = NexusOperationState.BackingOff;
        op.LastAttemptCompleteTime = Now;
        op.LastAttemptFailure = failure;
        var next = Now + NexusRetryPolicy.Backoff(op.Attempt);
        op.NextAttemptScheduleTime = next;
        op.RetryTimerTaskId = AddTimer(next, new TimerTaskInfo(TimerTaskKind.NexusOperationRetry, op.ScheduledEventId, op.Attempt));
    }

    /// <summary>The backoff after a failed start request is over: send the next one.</summary>
    public void RetryNexusOperation(NexusOperationInfo op)
    {
        op.State = NexusOperationState.Scheduled;
        op.Attempt++;
        op.NextAttemptScheduleTime = null;
        op.RetryTimerTaskId = 0;
        AddTransferTask(new TransferTaskInfo(TransferTaskKind.InvokeNexusOperation, op.ScheduledEventId) { Attempt = op.Attempt });
    }

    /// <summary>
    /// The workflow asked to cancel the operation (its NexusOperationCancelRequested event is written): a started
    /// operation gets a cancel request; one not started yet gets it once it starts, as in Temporal.
    /// </summary>
    public void RequestNexusCancellation(NexusOperationInfo op)
    {
        op.Cancellation = new NexusCancellationInfo { RequestedTime = Now, State = NexusCancellationState.Pending };
        if (op.IsStarted)
        {
            ScheduleNexusCancellation(op);
        }
        MarkChanged();
    }

    private void ScheduleNexusCancellation(NexusOperationInfo op)
    {
        var c = op.Cancellation!;
        c.State = NexusCancellationState.Scheduled;
        c.Attempt++;
        c.NextAttemptScheduleTime = null;
        c.RetryTimerTaskId = 0;
        AddTransferTask(new TransferTaskInfo(TransferTaskKind.CancelNexusOperation, op.ScheduledEventId) { Attempt = c.Attempt });
    }

    /// <summary>
    /// What the handler answered to a cancel request. Its acceptance or final refusal is recorded in an event that
    /// wakes the workflow (NexusOperationCancelRequestCompleted/Failed, marked ignorable by older workers), as Temporal
    /// 1.29 and later do by default — 1.28 has them behind a switch that is off. The SDKs' wait-for-the-cancel-request
    /// cancellation type waits for them.
    /// </summary>
    public void NexusCancellationAnswered(NexusOperationInfo op, Failure? failure, bool retryable)
    {
        var c = op.Cancellation!;
        c.LastAttemptCompleteTime = Now;
        c.LastAttemptFailure = failure;
        if (failure is null)
        {
            c.State = NexusCancellationState.Succeeded;
            var e = NewEvent(EventType.NexusOperationCancelRequestCompleted);
            e.WorkerMayIgnore = true;
            e.NexusOperationCancelRequestCompletedEventAttributes = new NexusOperationCancelRequestCompletedEventAttributes
            {
                ScheduledEventId = op.ScheduledEventId,
                RequestedEventId = op.CancelRequestedEventId,
            };
            AddWorkflowEvent(e);
        }
        else if (!retryable)
        {
            c.State = NexusCancellationState.Failed;
            var e = NewEvent(EventType.NexusOperationCancelRequestFailed);
            e.WorkerMayIgnore = true;
            e.NexusOperationCancelRequestFailedEventAttributes = new NexusOperationCancelRequestFailedEventAttributes
            {
                ScheduledEventId = op.ScheduledEventId,
                RequestedEventId = op.CancelRequestedEventId,
                Failure = failure,
            };
            AddWorkflowEvent(e);
        }
        else
        {
            c.State = NexusCancellationState.BackingOff;
            var next = Now + NexusRetryPolicy.Backoff(c.Attempt);
            c.NextAttemptScheduleTime = next;
            c.RetryTimerTaskId = AddTimer(next, new TimerTaskInfo(TimerTaskKind.NexusCancellationRetry, op.ScheduledEventId, c.Attempt));
        }
        MarkChanged();
    }

    /// <summary>The backoff after a failed cancel request is over: send the next one.</summary>
    public void RetryNexusCancellation(NexusOperationInfo op) => ScheduleNexusCancellation(op);

    /// <summary>
    /// The run closed its chain: each Nexus operation that started it (a completion callback this server issued) gets
    /// its outcome, by a durable task delivered to the caller's run (Temporal's callback state machine).
    /// </summary>
    private void ReportCloseToNexusCallers(HistoryEvent closeEvent)
    {
        foreach (var callback in State.CompletionCallbacks)
        {
            if (callback.Nexus is { Url: NexusCallbackToken.SystemCallbackUrl } nexus && NexusCallbackToken.FromHeader(nexus.Header) is { } token)
            {
                AddTransferTask(new TransferTaskInfo(TransferTaskKind.CompleteNexusOperation)
                {
                    CallbackToken = token,
                    Event = closeEvent,
                    OperationToken = nexus.Header.FirstOrDefault(kv => string.Equals(kv.Key, "nexus-operation-token", StringComparison.OrdinalIgnoreCase)).Value ?? "",
                });
            }
        }
    }
}
