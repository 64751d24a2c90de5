using Google.Protobuf.WellKnownTypes;
using Tempora.History.Queues;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Failure.V1;
using Temporalio.Api.History.V1;

namespace Tempora.History.Execution;

internal sealed partial class Transition
{
    /// <summary>Arms the run's own timeout (run timeout, capped by the execution expiration).</summary>
    public void ArmRunTimeout()
    {
        DateTimeOffset? deadline = State.RunTimeout is { } run && run > TimeSpan.Zero ? State.StartTime + run : null;
        if (State.ExecutionExpirationTime is { } exp && (deadline is null || exp < deadline))
        {
            deadline = exp;
        }
        if (deadline is { } d)
        {
            State.RunTimeoutTaskId = AddTimer(d, new TimerTaskInfo(TimerTaskKind.WorkflowRunTimeout));
        }
    }

    public void Signal(string signalName, Payloads? input, string identity, Header? header, string requestId, bool skipWorkflowTask,
        WorkflowExecution? externalExecution = null, IEnumerable<Link>? links = null)
    {
        var e = NewEvent(EventType.WorkflowExecutionSignaled, links);
        e.WorkflowExecutionSignaledEventAttributes = new WorkflowExecutionSignaledEventAttributes
        {
            SignalName = signalName,
            Input = input,
            Identity = identity,
            Header = header,
            RequestId = requestId,
            ExternalWorkflowExecution = externalExecution,
        };
        AddWorkflowEvent(e, scheduleWorkflowTask: !skipWorkflowTask);
    }

    public void RequestCancel(string reason, string identity, WorkflowExecution? externalExecution = null, long externalInitiatedEventId = 0,
        IEnumerable<Link>? links = null)
    {
        var e = NewEvent(EventType.WorkflowExecutionCancelRequested, links);
        e.WorkflowExecutionCancelRequestedEventAttributes = new WorkflowExecutionCancelRequestedEventAttributes
        {
            Cause = reason,
            Identity = identity,
            ExternalWorkflowExecution = externalExecution,
            ExternalInitiatedEventId = externalInitiatedEventId,
        };
        AddWorkflowEvent(e);
    }

    /// <summary>
    /// Terminates the run at once: buffered events are written first so that ids stay contiguous. A run replaced by a
    /// reset passes <paramref name="reset"/> (see <see cref="CloseExecution"/>).
    /// </summary>
    public void Terminate(string reason, Payloads? details, string identity, bool successor = false, ResetHandover? reset = null,
        IEnumerable<Link>? links = null)
    {
        FlushBufferedEvents();
        var e = NewEvent(EventType.WorkflowExecutionTerminated, links);
        e.WorkflowExecutionTerminatedEventAttributes = new WorkflowExecutionTerminatedEventAttributes
        {
            Reason = reason,
            Details = details,
            Identity = identity,
        };
        CloseExecution(e, successor, reset);
    }

    public void TimeoutRun()
    {
        FlushBufferedEvents();
        var e = NewEvent(EventType.WorkflowExecutionTimedOut);
        e.WorkflowExecutionTimedOutEventAttributes = new WorkflowExecutionTimedOutEventAttributes
        {
            RetryState = RetryState.RetryPolicyNotSet,
        };
        var failure = new Failure
        {
            Message = "workflow timed out",
            Source = "Server",
            TimeoutFailureInfo = new TimeoutFailureInfo { TimeoutType = TimeoutType.StartToClose },
        };
        // At the execution deadline the whole chain is over: TIMEOUT, and no retry or cron run follows, retry policy or
        // not; before it the retry policy decides (Temporal's executeWorkflowRunTimeoutTask, executeWorkflowExecutionTimeoutTask).
        var executionExpired = State.ExecutionExpirationTime is { } expiration && expiration <= Now;
        CloseRun(e, WorkflowExecutionStatus.TimedOut, failure, executionExpired: executionExpired);
    }

    /// <summary>Fires a user timer; returns false when the timer is no longer pending (cancelled or stale).</summary>
    public bool FireTimer(string timerId, long startedEventId)
    {
        if (!State.Timers.TryGetValue(timerId, out var timer) || timer.StartedEventId != startedEventId)
        {
            return false;
        }
        var e = NewEvent(EventType.TimerFired);
        e.TimerFiredEventAttributes = new TimerFiredEventAttributes { TimerId = timerId, StartedEventId = startedEventId };
        AddWorkflowEvent(e);
        return true;
    }

    public static Failure ServerFailure(string message, bool nonRetryable = true) => new()
    {
        Message = message,
        Source = "Server",
        ServerFailureInfo = new ServerFailureInfo { NonRetryable = nonRetryable },
    };

    public static Timestamp Time(DateTimeOffset t) => Timestamp.FromDateTimeOffset(t);

    /// <summary>
    /// A start found this run running and attaches to it (USE_EXISTING with on-conflict options): its request id, its
    /// completion callbacks and its links, in a WorkflowExecutionOptionsUpdated event that needs no workflow task, as
    /// Temporal records it.
    /// </summary>
    public void AttachStart(string requestId, IEnumerable<Callback> callbacks, IEnumerable<Link> links)
    {
        var e = NewEvent(EventType.WorkflowExecutionOptionsUpdated, links);
        e.WorkflowExecutionOptionsUpdatedEventAttributes = new WorkflowExecutionOptionsUpdatedEventAttributes
        {
            AttachedRequestId = requestId,
            AttachedCompletionCallbacks = { callbacks },
        };
        e.WorkerMayIgnore = true; // the SDKs' workflow code has nothing to do with it (Temporal sets it too)
        AddWorkflowEvent(e, scheduleWorkflowTask: false);
    }
}
