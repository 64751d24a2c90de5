using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;

namespace Tempora.History.Execution;

public sealed partial class Transition
{
    /// <summary>Records that the child run exists (ChildWorkflowExecutionStarted).</summary>
    public void RecordChildStarted(ChildInfo child, string namespaceId, string runId)
    {
        child.Started = true;
        child.RunId = runId;
        child.NamespaceId = namespaceId;
        var e = NewEvent(EventType.ChildWorkflowExecutionStarted);
        e.ChildWorkflowExecutionStartedEventAttributes = new ChildWorkflowExecutionStartedEventAttributes
        {
            Namespace = child.Initiated.Namespace,
            NamespaceId = namespaceId,
            InitiatedEventId = child.InitiatedEventId,
            WorkflowExecution = new WorkflowExecution { WorkflowId = child.Initiated.WorkflowId, RunId = runId },
            WorkflowType = child.Initiated.WorkflowType,
            Header = child.Initiated.Header,
        };
        AddWorkflowEvent(e);
        child.StartedEventId = e.EventId; // 0 while buffered; the flush fills it in
    }

    public void RecordChildStartFailed(ChildInfo child, StartChildWorkflowExecutionFailedCause cause)
    {
        State.Children.Remove(child.InitiatedEventId);
        var e = NewEvent(EventType.StartChildWorkflowExecutionFailed);
        e.StartChildWorkflowExecutionFailedEventAttributes = new StartChildWorkflowExecutionFailedEventAttributes
        {
            Namespace = child.Initiated.Namespace,
            WorkflowId = child.Initiated.WorkflowId,
            WorkflowType = child.Initiated.WorkflowType,
            Cause = cause,
            Control = child.Initiated.Control,
            InitiatedEventId = child.InitiatedEventId,
            WorkflowTaskCompletedEventId = child.Initiated.WorkflowTaskCompletedEventId,
        };
        AddWorkflowEvent(e);
    }

    /// <summary>Reports the close of the child's chain to this (parent) run (§5.5).</summary>
    public void RecordChildClosed(ChildInfo child, string namespaceId, string closedRunId, HistoryEvent close)
    {
        if (!child.Started)
        {
            RecordChildStarted(child, namespaceId, closedRunId);
        }
        State.Children.Remove(child.InitiatedEventId);
        var execution = new WorkflowExecution { WorkflowId = child.Initiated.WorkflowId, RunId = child.RunId };
        var startedId = child.StartedEventId > 0 ? child.StartedEventId : -1;
        var ns = child.Initiated.Namespace;
        var type = child.Initiated.WorkflowType;
        var initiated = child.InitiatedEventId;
        HistoryEvent e;
        switch (close.EventType)
        {
            case EventType.WorkflowExecutionCompleted:
                e = NewEvent(EventType.ChildWorkflowExecutionCompleted);
                e.ChildWorkflowExecutionCompletedEventAttributes = new ChildWorkflowExecutionCompletedEventAttributes
                {
                    Result = close.WorkflowExecutionCompletedEventAttributes.Result,
                    Namespace = ns, NamespaceId = namespaceId, WorkflowExecution = execution, WorkflowType = type,
                    InitiatedEventId = initiated, StartedEventId = startedId,
                };
                break;
            case EventType.WorkflowExecutionFailed:
                e = NewEvent(EventType.ChildWorkflowExecutionFailed);
                e.ChildWorkflowExecutionFailedEventAttributes = new ChildWorkflowExecutionFailedEventAttributes
                {
                    Failure = close.WorkflowExecutionFailedEventAttributes.Failure,
                    RetryState = close.WorkflowExecutionFailedEventAttributes.RetryState,
                    Namespace = ns, NamespaceId = namespaceId, WorkflowExecution = execution, WorkflowType = type,
                    InitiatedEventId = initiated, StartedEventId = startedId,
                };
                break;
            case EventType.WorkflowExecutionCanceled:
                e = NewEvent(EventType.ChildWorkflowExecutionCanceled);
                e.ChildWorkflowExecutionCanceledEventAttributes = new ChildWorkflowExecutionCanceledEventAttributes
                {
                    Details = close.WorkflowExecutionCanceledEventAttributes.Details,
                    Namespace = ns, NamespaceId = namespaceId, WorkflowExecution = execution, WorkflowType = type,
                    InitiatedEventId = initiated, StartedEventId = startedId,
                };
                break;
            case EventType.WorkflowExecutionTimedOut:
                e = NewEvent(EventType.ChildWorkflowExecutionTimedOut);
                e.ChildWorkflowExecutionTimedOutEventAttributes = new ChildWorkflowExecutionTimedOutEventAttributes
                {
                    RetryState = close.WorkflowExecutionTimedOutEventAttributes.RetryState,
                    Namespace = ns, NamespaceId = namespaceId, WorkflowExecution = execution, WorkflowType = type,
                    InitiatedEventId = initiated, StartedEventId = startedId,
                };
                break;
            default:
                e = NewEvent(EventType.ChildWorkflowExecutionTerminated);
                e.ChildWorkflowExecutionTerminatedEventAttributes = new ChildWorkflowExecutionTerminatedEventAttributes
                {
                    Namespace = ns, NamespaceId = namespaceId, WorkflowExecution = execution, WorkflowType = type,
                    InitiatedEventId = initiated, StartedEventId = startedId,
                };
                break;
        }
        AddWorkflowEvent(e);
    }

    /// <summary>Outcome of a signal or cancel request delivered (or not) to another workflow.</summary>
    public void RecordExternalRequestResult(ExternalRequestInfo request, bool delivered, CancelExternalWorkflowExecutionFailedCause failure)
    {
        State.ExternalRequests.Remove(request.InitiatedEventId);
        var initiated = request.Initiated;
        HistoryEvent e;
        if (initiated.EventType == EventType.SignalExternalWorkflowExecutionInitiated)
        {
            var a = initiated.SignalExternalWorkflowExecutionInitiatedEventAttributes;
            if (delivered)
            {
                e = NewEvent(EventType.ExternalWorkflowExecutionSignaled);
                e.ExternalWorkflowExecutionSignaledEventAttributes = new ExternalWorkflowExecutionSignaledEventAttributes
                {
                    InitiatedEventId = request.InitiatedEventId, Namespace = a.Namespace, WorkflowExecution = a.WorkflowExecution, Control = a.Control,
                };
            }
            else
            {
                e = NewEvent(EventType.SignalExternalWorkflowExecutionFailed);
                e.SignalExternalWorkflowExecutionFailedEventAttributes = new SignalExternalWorkflowExecutionFailedEventAttributes
                {
                    Cause = (SignalExternalWorkflowExecutionFailedCause)(int)failure,
                    InitiatedEventId = request.InitiatedEventId, Namespace = a.Namespace, WorkflowExecution = a.WorkflowExecution, Control = a.Control,
                    WorkflowTaskCompletedEventId = a.WorkflowTaskCompletedEventId,
                };
            }
        }
        else
        {
            var a = initiated.RequestCancelExternalWorkflowExecutionInitiatedEventAttributes;
            if (delivered)
            {
                e = NewEvent(EventType.ExternalWorkflowExecutionCancelRequested);
                e.ExternalWorkflowExecutionCancelRequestedEventAttributes = new ExternalWorkflowExecutionCancelRequestedEventAttributes
                {
                    InitiatedEventId = request.InitiatedEventId, Namespace = a.Namespace, WorkflowExecution = a.WorkflowExecution,
                };
            }
            else
            {
                e = NewEvent(EventType.RequestCancelExternalWorkflowExecutionFailed);
                e.RequestCancelExternalWorkflowExecutionFailedEventAttributes = new RequestCancelExternalWorkflowExecutionFailedEventAttributes
                {
                    Cause = failure,
                    InitiatedEventId = request.InitiatedEventId, Namespace = a.Namespace, WorkflowExecution = a.WorkflowExecution, Control = a.Control,
                    WorkflowTaskCompletedEventId = a.WorkflowTaskCompletedEventId,
                };
            }
        }
        AddWorkflowEvent(e);
    }

    /// <summary>Fills started_event_id of buffered child events once their Started event has an id.</summary>
    private bool FixChildStartedId(HistoryEvent e, Dictionary<long, long> startedIds)
    {
        switch (e.EventType)
        {
            case EventType.ChildWorkflowExecutionStarted:
                var initiated = e.ChildWorkflowExecutionStartedEventAttributes.InitiatedEventId;
                startedIds[initiated] = e.EventId;
                if (State.Children.TryGetValue(initiated, out var child))
                {
                    child.StartedEventId = e.EventId;
                }
                return true;
            case EventType.ChildWorkflowExecutionCompleted when e.ChildWorkflowExecutionCompletedEventAttributes.StartedEventId < 0:
                e.ChildWorkflowExecutionCompletedEventAttributes.StartedEventId = startedIds.GetValueOrDefault(e.ChildWorkflowExecutionCompletedEventAttributes.InitiatedEventId);
                return true;
            case EventType.ChildWorkflowExecutionFailed when e.ChildWorkflowExecutionFailedEventAttributes.StartedEventId < 0:
                e.ChildWorkflowExecutionFailedEventAttributes.StartedEventId = startedIds.GetValueOrDefault(e.ChildWorkflowExecutionFailedEventAttributes.InitiatedEventId);
                return true;
            case EventType.ChildWorkflowExecutionCanceled when e.ChildWorkflowExecutionCanceledEventAttributes.StartedEventId < 0:
                e.ChildWorkflowExecutionCanceledEventAttributes.StartedEventId = startedIds.GetValueOrDefault(e.ChildWorkflowExecutionCanceledEventAttributes.InitiatedEventId);
                return true;
            case EventType.ChildWorkflowExecutionTimedOut when e.ChildWorkflowExecutionTimedOutEventAttributes.StartedEventId < 0:
                e.ChildWorkflowExecutionTimedOutEventAttributes.StartedEventId = startedIds.GetValueOrDefault(e.ChildWorkflowExecutionTimedOutEventAttributes.InitiatedEventId);
                return true;
            case EventType.ChildWorkflowExecutionTerminated when e.ChildWorkflowExecutionTerminatedEventAttributes.StartedEventId < 0:
                e.ChildWorkflowExecutionTerminatedEventAttributes.StartedEventId = startedIds.GetValueOrDefault(e.ChildWorkflowExecutionTerminatedEventAttributes.InitiatedEventId);
                return true;
            default:
                return false;
        }
    }
}
