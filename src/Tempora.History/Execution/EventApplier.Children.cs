using Temporalio.Api.History.V1;

namespace Tempora.History.Execution;

internal static partial class EventApplier
{
    private static void ApplyStartChildWorkflowExecutionInitiated(MutableState s, HistoryEvent e) =>
        s.Children[e.EventId] = new ChildInfo
        {
            InitiatedEventId = e.EventId,
            Initiated = e.StartChildWorkflowExecutionInitiatedEventAttributes,
            UserMetadata = e.UserMetadata,
        };

    /// <summary>While buffered the event has no id yet (0); the flush that writes it fills the child's in.</summary>
    private static void ApplyChildWorkflowExecutionStarted(MutableState s, HistoryEvent e)
    {
        var a = e.ChildWorkflowExecutionStartedEventAttributes;
        if (s.Children.TryGetValue(a.InitiatedEventId, out var child))
        {
            child.Started = true;
            child.RunId = a.WorkflowExecution.RunId;
            child.NamespaceId = a.NamespaceId;
            child.StartedEventId = e.EventId;
        }
    }

    /// <summary>
    /// A signal or cancel request to another workflow. Its request id, which makes delivery idempotent at the target,
    /// follows from the run and the event, so replaying the event gives the same one.
    /// </summary>
    private static void ApplyExternalRequestInitiated(MutableState s, HistoryEvent e) =>
        s.ExternalRequests[e.EventId] = new ExternalRequestInfo
        {
            InitiatedEventId = e.EventId,
            RequestId = ExternalRequestId(s.RunId, e.EventId),
            Initiated = e,
        };

    private static string ExternalRequestId(string runId, long initiatedEventId) => $"{runId}/external/{initiatedEventId}";

    /// <summary>
    /// A reset's WorkflowTaskFailed: what was initiated before it and is still pending was initiated by the base run,
    /// so its requests keep the base run's ids. A child the base run started is then found instead of started again,
    /// and a signal it delivered is not delivered twice.
    /// </summary>
    private static void ApplyResetPoint(MutableState s, string baseRunId)
    {
        foreach (var child in s.Children.Values)
        {
            child.OriginRunId ??= baseRunId;
        }
        foreach (var request in s.ExternalRequests.Values)
        {
            if (request.RequestId == ExternalRequestId(s.RunId, request.InitiatedEventId))
            {
                request.RequestId = ExternalRequestId(baseRunId, request.InitiatedEventId);
            }
        }
    }

}
