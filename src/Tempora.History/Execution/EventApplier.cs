using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;

namespace Tempora.History.Execution;

/// <summary>
/// The one place where a history event changes a run's mutable state (Temporal's Apply…Event functions). Handling a
/// command or a request builds an event, adds it to history (or buffers it while a workflow task runs) and applies it
/// here; a reset and <see cref="MutableStateRebuilder"/> replay stored events through the same functions. Only what
/// the event says is set here: attempts in flight, stickiness and the ids of armed tasks are the
/// <see cref="Transition"/>'s bookkeeping. Protobuf members taken from an event are shared with it, never changed in
/// place (map upserts build a new message), so written history stays as written.
/// </summary>
internal static partial class EventApplier
{
    public static void Apply(MutableState s, HistoryEvent e)
    {
        switch (e.EventType)
        {
            case EventType.WorkflowExecutionStarted:
                ApplyWorkflowExecutionStarted(s, e);
                break;
            case EventType.WorkflowTaskScheduled:
                ApplyWorkflowTaskScheduled(s, e);
                break;
            case EventType.WorkflowTaskStarted:
                ApplyWorkflowTaskStarted(s, e);
                break;
            case EventType.WorkflowTaskCompleted:
                ApplyWorkflowTaskCompleted(s, e);
                break;
            case EventType.WorkflowTaskFailed or EventType.WorkflowTaskTimedOut:
                ApplyWorkflowTaskEnded(s, e);
                break;
            case EventType.ActivityTaskScheduled:
                ApplyActivityTaskScheduled(s, e);
                break;
            case EventType.ActivityTaskStarted:
                // Written only together with the attempt's close event (§4.3); the attempt itself is bookkeeping.
                break;
            case EventType.ActivityTaskCancelRequested:
                ApplyActivityTaskCancelRequested(s, e);
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
                ApplyTimerStarted(s, e);
                break;
            case EventType.TimerFired:
                s.Timers.Remove(e.TimerFiredEventAttributes.TimerId);
                break;
            case EventType.TimerCanceled:
                s.Timers.Remove(e.TimerCanceledEventAttributes.TimerId);
                break;
            case EventType.MarkerRecorded:
                break; // markers are for the worker's replay only
            case EventType.WorkflowExecutionSignaled:
                ApplyWorkflowExecutionSignaled(s, e);
                break;
            case EventType.WorkflowExecutionCancelRequested:
                s.CancelRequested = true;
                break;
            case EventType.UpsertWorkflowSearchAttributes:
                s.SearchAttributes = MapUpserts.Merged(s.SearchAttributes, e.UpsertWorkflowSearchAttributesEventAttributes.SearchAttributes);
                break;
            case EventType.WorkflowPropertiesModified:
                s.Memo = MapUpserts.Merged(s.Memo, e.WorkflowPropertiesModifiedEventAttributes.UpsertedMemo);
                break;
            case EventType.WorkflowExecutionCompleted:
                ApplyWorkflowExecutionClosed(s, e, WorkflowExecutionStatus.Completed);
                break;
            case EventType.WorkflowExecutionFailed:
                ApplyWorkflowExecutionClosed(s, e, WorkflowExecutionStatus.Failed);
                break;
            case EventType.WorkflowExecutionTimedOut:
                ApplyWorkflowExecutionClosed(s, e, WorkflowExecutionStatus.TimedOut);
                break;
            case EventType.WorkflowExecutionCanceled:
                ApplyWorkflowExecutionClosed(s, e, WorkflowExecutionStatus.Canceled);
                break;
            case EventType.WorkflowExecutionTerminated:
                ApplyWorkflowExecutionClosed(s, e, WorkflowExecutionStatus.Terminated);
                break;
            case EventType.WorkflowExecutionContinuedAsNew:
                ApplyWorkflowExecutionClosed(s, e, WorkflowExecutionStatus.ContinuedAsNew);
                break;
            case EventType.StartChildWorkflowExecutionInitiated:
                ApplyStartChildWorkflowExecutionInitiated(s, e);
                break;
            case EventType.StartChildWorkflowExecutionFailed:
                s.Children.Remove(e.StartChildWorkflowExecutionFailedEventAttributes.InitiatedEventId);
                break;
            case EventType.ChildWorkflowExecutionStarted:
                ApplyChildWorkflowExecutionStarted(s, e);
                break;
            case EventType.ChildWorkflowExecutionCompleted:
                s.Children.Remove(e.ChildWorkflowExecutionCompletedEventAttributes.InitiatedEventId);
                break;
            case EventType.ChildWorkflowExecutionFailed:
                s.Children.Remove(e.ChildWorkflowExecutionFailedEventAttributes.InitiatedEventId);
                break;
            case EventType.ChildWorkflowExecutionCanceled:
                s.Children.Remove(e.ChildWorkflowExecutionCanceledEventAttributes.InitiatedEventId);
                break;
            case EventType.ChildWorkflowExecutionTimedOut:
                s.Children.Remove(e.ChildWorkflowExecutionTimedOutEventAttributes.InitiatedEventId);
                break;
            case EventType.ChildWorkflowExecutionTerminated:
                s.Children.Remove(e.ChildWorkflowExecutionTerminatedEventAttributes.InitiatedEventId);
                break;
            case EventType.SignalExternalWorkflowExecutionInitiated or EventType.RequestCancelExternalWorkflowExecutionInitiated:
                ApplyExternalRequestInitiated(s, e);
                break;
            case EventType.ExternalWorkflowExecutionSignaled:
                s.ExternalRequests.Remove(e.ExternalWorkflowExecutionSignaledEventAttributes.InitiatedEventId);
                break;
            case EventType.SignalExternalWorkflowExecutionFailed:
                s.ExternalRequests.Remove(e.SignalExternalWorkflowExecutionFailedEventAttributes.InitiatedEventId);
                break;
            case EventType.ExternalWorkflowExecutionCancelRequested:
                s.ExternalRequests.Remove(e.ExternalWorkflowExecutionCancelRequestedEventAttributes.InitiatedEventId);
                break;
            case EventType.RequestCancelExternalWorkflowExecutionFailed:
                s.ExternalRequests.Remove(e.RequestCancelExternalWorkflowExecutionFailedEventAttributes.InitiatedEventId);
                break;
            case EventType.WorkflowExecutionUpdateAdmitted:
                ApplyWorkflowExecutionUpdateAdmitted(s, e);
                break;
            case EventType.WorkflowExecutionUpdateAccepted:
                ApplyWorkflowExecutionUpdateAccepted(s, e);
                break;
            case EventType.WorkflowExecutionUpdateCompleted:
                ApplyWorkflowExecutionUpdateCompleted(s, e);
                break;
            case EventType.WorkflowExecutionOptionsUpdated:
                ApplyWorkflowExecutionOptionsUpdated(s, e);
                break;
            case EventType.NexusOperationScheduled:
                ApplyNexusOperationScheduled(s, e);
                break;
            case EventType.NexusOperationStarted:
                ApplyNexusOperationStarted(s, e);
                break;
            case EventType.NexusOperationCancelRequestCompleted or EventType.NexusOperationCancelRequestFailed:
                ApplyNexusOperationCancelRequestAnswered(s, e);
                break;
            case EventType.NexusOperationCancelRequested:
                ApplyNexusOperationCancelRequested(s, e);
                break;
            case EventType.NexusOperationCompleted:
                s.NexusOperations.Remove(e.NexusOperationCompletedEventAttributes.ScheduledEventId);
                break;
            case EventType.NexusOperationFailed:
                s.NexusOperations.Remove(e.NexusOperationFailedEventAttributes.ScheduledEventId);
                break;
            case EventType.NexusOperationCanceled:
                s.NexusOperations.Remove(e.NexusOperationCanceledEventAttributes.ScheduledEventId);
                break;
            case EventType.NexusOperationTimedOut:
                s.NexusOperations.Remove(e.NexusOperationTimedOutEventAttributes.ScheduledEventId);
                break;
            default:
                // Tempora writes no other event type; a history holding one cannot be replayed here.
                throw new UnsupportedEventException(e);
        }
    }

    /// <summary>What adding an event to history does besides applying it: the next id and the history size.</summary>
    public static void Count(MutableState s, HistoryEvent e)
    {
        s.NextEventId = e.EventId + 1;
        s.HistorySizeBytes += e.CalculateSize();
    }
}
