using Google.Protobuf.WellKnownTypes;
using Tempora.Core.Errors;
using Tempora.History.Queues;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;

namespace Tempora.History.Execution;

public sealed partial class Transition
{
    /// <summary>Builds the reset run: copied history prefix, rebuilt state, RESET_WORKFLOW failure, reapplied signals.</summary>
    internal void StartResetRun(string newRunId, string requestId, IReadOnlyList<HistoryEvent> prefix, IReadOnlyList<HistoryEvent> reapply, string reason)
    {
        var startedAttributes = prefix[0].WorkflowExecutionStartedEventAttributes.Clone();
        startedAttributes.OriginalExecutionRunId = newRunId;
        var state = NewRunState(State.NamespaceId, State.WorkflowId, newRunId, requestId, startedAttributes, Now);
        state.StartTime = prefix[0].EventTime.ToDateTimeOffset();
        state.ExecutionTime = state.StartTime + (startedAttributes.FirstWorkflowTaskBackoff?.ToTimeSpan() ?? TimeSpan.Zero);
        var next = new Transition(state, Now, taskIds, dispatcher);
        foreach (var e in prefix)
        {
            next.AppendEvent(e.Clone());
            next.Replay(e);
        }
        if (next._resetPendingRequests.Count > 0)
        {
            // A child or request in flight belongs to the base run and would report back to it, not to the new run.
            throw new InvalidArgumentException(
                $"Cannot reset to a point where a child workflow or an external signal/cancel is still in flight (initiated event {next._resetPendingRequests.Min()}); pick a later workflow task.");
        }
        var wft = state.WorkflowTask ?? throw new InvalidArgumentException("The reset point has no started workflow task.");
        var failed = next.NewEvent(EventType.WorkflowTaskFailed);
        failed.WorkflowTaskFailedEventAttributes = new WorkflowTaskFailedEventAttributes
        {
            ScheduledEventId = wft.ScheduledEventId,
            StartedEventId = wft.StartedEventId,
            Cause = WorkflowTaskFailedCause.ResetWorkflow,
            Failure = ServerFailure(string.IsNullOrEmpty(reason) ? "reset" : reason),
            Identity = "history-service",
            BaseRunId = State.RunId,
            NewRunId = newRunId,
        };
        next.AppendEvent(failed);
        state.WorkflowTask = null;
        state.WorkflowTaskAttempt = 1;
        foreach (var signal in reapply)
        {
            var a = signal.WorkflowExecutionSignaledEventAttributes;
            next.Signal(a.SignalName, a.Input, a.Identity, a.Header, a.RequestId, skipWorkflowTask: true, a.ExternalWorkflowExecution);
        }
        // Work that was pending at the reset point starts over in the new run.
        foreach (var activity in state.Activities.Values)
        {
            activity.ScheduledTime = Now;
            next.DispatchActivityAttempt(activity);
        }
        foreach (var timer in state.Timers.Values)
        {
            timer.TaskId = next.AddTimer(timer.ExpiryTime, new TimerTaskInfo(TimerTaskKind.UserTimer, timer.StartedEventId, TimerId: timer.TimerId));
        }
        next.ScheduleWorkflowTask();
        next.ArmRunTimeout();
        Successor = next;
    }

    /// <summary>Rebuilds mutable state from one copied history event (the reset run's prefix).</summary>
    private void Replay(HistoryEvent e)
    {
        var s = State;
        switch (e.EventType)
        {
            case EventType.WorkflowExecutionStarted:
                break;
            case EventType.WorkflowTaskScheduled:
                s.WorkflowTask = new WorkflowTaskInfo
                {
                    ScheduledEventId = e.EventId,
                    Attempt = 1,
                    ScheduledTime = e.EventTime.ToDateTimeOffset(),
                    TaskQueue = s.TaskQueue,
                    StartToCloseTimeout = s.WorkflowTaskTimeout,
                };
                break;
            case EventType.WorkflowTaskStarted when s.WorkflowTask is { } wft:
                wft.StartedEventId = e.EventId;
                wft.StartedTime = e.EventTime.ToDateTimeOffset();
                break;
            case EventType.WorkflowTaskCompleted:
                s.LastCompletedWorkflowTaskStartedEventId = e.WorkflowTaskCompletedEventAttributes.StartedEventId;
                s.WorkflowTask = null;
                break;
            case EventType.WorkflowTaskFailed or EventType.WorkflowTaskTimedOut:
                s.WorkflowTask = null;
                break;
            case EventType.ActivityTaskScheduled:
                var a = e.ActivityTaskScheduledEventAttributes;
                s.Activities[e.EventId] = new ActivityInfo
                {
                    ScheduledEventId = e.EventId,
                    ActivityId = a.ActivityId,
                    ActivityType = a.ActivityType.Name,
                    TaskQueue = a.TaskQueue.Name,
                    Input = a.Input,
                    Header = a.Header,
                    Priority = a.Priority,
                    RetryPolicy = a.RetryPolicy ?? new Temporalio.Api.Common.V1.RetryPolicy(),
                    ScheduleToCloseTimeout = a.ScheduleToCloseTimeout?.ToTimeSpan() ?? TimeSpan.Zero,
                    ScheduleToStartTimeout = a.ScheduleToStartTimeout?.ToTimeSpan() ?? TimeSpan.Zero,
                    StartToCloseTimeout = a.StartToCloseTimeout?.ToTimeSpan() ?? TimeSpan.Zero,
                    HeartbeatTimeout = a.HeartbeatTimeout?.ToTimeSpan() ?? TimeSpan.Zero,
                };
                break;
            case EventType.ActivityTaskCancelRequested:
                if (s.Activities.TryGetValue(e.ActivityTaskCancelRequestedEventAttributes.ScheduledEventId, out var canceling))
                {
                    canceling.CancelRequested = true;
                    canceling.CancelRequestedEventId = e.EventId;
                }
                break;
            case EventType.ActivityTaskCompleted:
                s.Activities.Remove(e.ActivityTaskCompletedEventAttributes.ScheduledEventId);
                break;
            case EventType.ActivityTaskFailed:
                s.Activities.Remove(e.ActivityTaskFailedEventAttributes.ScheduledEventId);
                break;
            case EventType.ActivityTaskTimedOut:
                s.Activities.Remove(e.ActivityTaskTimedOutEventAttributes.ScheduledEventId);
                break;
            case EventType.ActivityTaskCanceled:
                s.Activities.Remove(e.ActivityTaskCanceledEventAttributes.ScheduledEventId);
                break;
            case EventType.TimerStarted:
                var t = e.TimerStartedEventAttributes;
                s.Timers[t.TimerId] = new TimerInfo
                {
                    TimerId = t.TimerId,
                    StartedEventId = e.EventId,
                    ExpiryTime = e.EventTime.ToDateTimeOffset() + t.StartToFireTimeout.ToTimeSpan(),
                };
                break;
            case EventType.TimerFired:
                s.Timers.Remove(e.TimerFiredEventAttributes.TimerId);
                break;
            case EventType.TimerCanceled:
                s.Timers.Remove(e.TimerCanceledEventAttributes.TimerId);
                break;
            case EventType.WorkflowExecutionSignaled:
                s.SignalCount++;
                if (!string.IsNullOrEmpty(e.WorkflowExecutionSignaledEventAttributes.RequestId))
                {
                    s.SignalRequestIds.Add(e.WorkflowExecutionSignaledEventAttributes.RequestId);
                }
                break;
            case EventType.WorkflowExecutionCancelRequested:
                s.CancelRequested = true;
                break;
            case EventType.UpsertWorkflowSearchAttributes:
                s.SearchAttributes ??= new Temporalio.Api.Common.V1.SearchAttributes();
                foreach (var (name, value) in e.UpsertWorkflowSearchAttributesEventAttributes.SearchAttributes.IndexedFields)
                {
                    s.SearchAttributes.IndexedFields[name] = value;
                }
                break;
            case EventType.WorkflowPropertiesModified:
                s.Memo ??= new Temporalio.Api.Common.V1.Memo();
                foreach (var (name, value) in e.WorkflowPropertiesModifiedEventAttributes.UpsertedMemo.Fields)
                {
                    s.Memo.Fields[name] = value;
                }
                break;
            case EventType.StartChildWorkflowExecutionInitiated:
            case EventType.SignalExternalWorkflowExecutionInitiated:
            case EventType.RequestCancelExternalWorkflowExecutionInitiated:
                _resetPendingRequests.Add(e.EventId);
                break;
            case EventType.StartChildWorkflowExecutionFailed:
                _resetPendingRequests.Remove(e.StartChildWorkflowExecutionFailedEventAttributes.InitiatedEventId);
                break;
            case EventType.ChildWorkflowExecutionCompleted:
                _resetPendingRequests.Remove(e.ChildWorkflowExecutionCompletedEventAttributes.InitiatedEventId);
                break;
            case EventType.ChildWorkflowExecutionFailed:
                _resetPendingRequests.Remove(e.ChildWorkflowExecutionFailedEventAttributes.InitiatedEventId);
                break;
            case EventType.ChildWorkflowExecutionCanceled:
                _resetPendingRequests.Remove(e.ChildWorkflowExecutionCanceledEventAttributes.InitiatedEventId);
                break;
            case EventType.ChildWorkflowExecutionTimedOut:
                _resetPendingRequests.Remove(e.ChildWorkflowExecutionTimedOutEventAttributes.InitiatedEventId);
                break;
            case EventType.ChildWorkflowExecutionTerminated:
                _resetPendingRequests.Remove(e.ChildWorkflowExecutionTerminatedEventAttributes.InitiatedEventId);
                break;
            case EventType.ExternalWorkflowExecutionSignaled:
                _resetPendingRequests.Remove(e.ExternalWorkflowExecutionSignaledEventAttributes.InitiatedEventId);
                break;
            case EventType.SignalExternalWorkflowExecutionFailed:
                _resetPendingRequests.Remove(e.SignalExternalWorkflowExecutionFailedEventAttributes.InitiatedEventId);
                break;
            case EventType.ExternalWorkflowExecutionCancelRequested:
                _resetPendingRequests.Remove(e.ExternalWorkflowExecutionCancelRequestedEventAttributes.InitiatedEventId);
                break;
            case EventType.RequestCancelExternalWorkflowExecutionFailed:
                _resetPendingRequests.Remove(e.RequestCancelExternalWorkflowExecutionFailedEventAttributes.InitiatedEventId);
                break;
            case EventType.ChildWorkflowExecutionStarted:
            case EventType.MarkerRecorded:
            case EventType.WorkflowExecutionUpdateAccepted:
            case EventType.WorkflowExecutionUpdateCompleted:
                break;
            default:
                throw new InvalidArgumentException($"Resetting across a {e.EventType} event (id {e.EventId}) is not supported.");
        }
    }

    /// <summary>Children and external requests started before the reset point and not yet resolved by it.</summary>
    private readonly HashSet<long> _resetPendingRequests = [];
}
