using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;

namespace Tempora.History.Execution;

internal sealed partial class Transition
{
    /// <summary>Records that the child run exists (ChildWorkflowExecutionStarted).</summary>
    public void RecordChildStarted(ChildInfo child, string namespaceId, string runId)
    {
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
        AddWorkflowEvent(e); // while buffered the child's StartedEventId is 0; the flush fills it in
    }

    public void RecordChildStartFailed(ChildInfo child, StartChildWorkflowExecutionFailedCause cause)
    {
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
                    Namespace = ns,
                    NamespaceId = namespaceId,
                    WorkflowExecution = execution,
                    WorkflowType = type,
                    InitiatedEventId = initiated,
                    StartedEventId = startedId,
                };
                break;
            case EventType.WorkflowExecutionFailed:
                e = NewEvent(EventType.ChildWorkflowExecutionFailed);
                e.ChildWorkflowExecutionFailedEventAttributes = new ChildWorkflowExecutionFailedEventAttributes
                {
                    Failure = close.WorkflowExecutionFailedEventAttributes.Failure,
                    RetryState = close.WorkflowExecutionFailedEventAttributes.RetryState,
                    Namespace = ns,
                    NamespaceId = namespaceId,
                    WorkflowExecution = execution,
                    WorkflowType = type,
                    InitiatedEventId = initiated,
                    StartedEventId = startedId,
                };
                break;
            case EventType.WorkflowExecutionCanceled:
                e = NewEvent(EventType.ChildWorkflowExecutionCanceled);
                e.ChildWorkflowExecutionCanceledEventAttributes = new ChildWorkflowExecutionCanceledEventAttributes
                {
                    Details = close.WorkflowExecutionCanceledEventAttributes.Details,
                    Namespace = ns,
                    NamespaceId = namespaceId,
                    WorkflowExecution = execution,
                    WorkflowType = type,
                    InitiatedEventId = initiated,
                    StartedEventId = startedId,
                };
                break;
            case EventType.WorkflowExecutionTimedOut:
                e = NewEvent(EventType.ChildWorkflowExecutionTimedOut);
                e.ChildWorkflowExecutionTimedOutEventAttributes = new ChildWorkflowExecutionTimedOutEventAttributes
                {
                    RetryState = close.WorkflowExecutionTimedOutEventAttributes.RetryState,
                    Namespace = ns,
                    NamespaceId = namespaceId,
                    WorkflowExecution = execution,
                    WorkflowType = type,
                    InitiatedEventId = initiated,
                    StartedEventId = startedId,
                };
                break;
            default:
                e = NewEvent(EventType.ChildWorkflowExecutionTerminated);
                e.ChildWorkflowExecutionTerminatedEventAttributes = new ChildWorkflowExecutionTerminatedEventAttributes
                {
                    Namespace = ns,
                    NamespaceId = namespaceId,
                    WorkflowExecution = execution,
                    WorkflowType = type,
                    InitiatedEventId = initiated,
                    StartedEventId = startedId,
                };
                break;
        }
        AddWorkflowEvent(e);
    }

    /// <summary>Outcome of a signal or cancel request delivered (or not) to another workflow.</summary>
    public void RecordExternalRequestResult(ExternalRequestInfo request, bool delivered, CancelExternalWorkflowExecutionFailedCause failure)
    {
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
                    InitiatedEventId = request.InitiatedEventId,
                    Namespace = a.Namespace,
                    WorkflowExecution = a.WorkflowExecution,
                    Control = a.Control,
                };
            }
            else
            {
                e = NewEvent(EventType.SignalExternalWorkflowExecutionFailed);
                e.SignalExternalWorkflowExecutionFailedEventAttributes = new SignalExternalWorkflowExecutionFailedEventAttributes
                {
                    Cause = (SignalExternalWorkflowExecutionFailedCause)(int)failure,
                    InitiatedEventId = request.InitiatedEventId,
                    Namespace = a.Namespace,
                    WorkflowExecution = a.WorkflowExecution,
                    Control = a.Control,
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
                    InitiatedEventId = request.InitiatedEventId,
                    Namespace = a.Namespace,
                    WorkflowExecution = a.WorkflowExecution,
                };
            }
            else
            {
                e = NewEvent(EventType.RequestCancelExternalWorkflowExecutionFailed);
                e.RequestCancelExternalWorkflowExecutionFailedEventAttributes = new RequestCancelExternalWorkflowExecutionFailedEventAttributes
                {
                    Cause = failure,
                    InitiatedEventId = request.InitiatedEventId,
                    Namespace = a.Namespace,
                    WorkflowExecution = a.WorkflowExecution,
                    Control = a.Control,
                    WorkflowTaskCompletedEventId = a.WorkflowTaskCompletedEventId,
                };
            }
        }
        AddWorkflowEvent(e);
    }
}
