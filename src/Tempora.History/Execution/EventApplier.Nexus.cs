using Temporalio.Api.History.V1;

namespace Tempora.History.Execution;

internal static partial class EventApplier
{
    private static void ApplyNexusOperationScheduled(MutableState s, HistoryEvent e)
    {
        var a = e.NexusOperationScheduledEventAttributes;
        s.NexusOperations[e.EventId] = new NexusOperationInfo
        {
            ScheduledEventId = e.EventId,
            Endpoint = a.Endpoint,
            EndpointId = a.EndpointId,
            Service = a.Service,
            Operation = a.Operation,
            Input = a.Input,
            Header = new Dictionary<string, string>(a.NexusHeader),
            ScheduleToCloseTimeout = a.ScheduleToCloseTimeout?.ToTimeSpan() ?? TimeSpan.Zero,
            ScheduleToStartTimeout = a.ScheduleToStartTimeout?.ToTimeSpan() ?? TimeSpan.Zero,
            StartToCloseTimeout = a.StartToCloseTimeout?.ToTimeSpan() ?? TimeSpan.Zero,
            ScheduledTime = e.EventTime.ToDateTimeOffset(),
            RequestId = a.RequestId,
        };
    }

    /// <summary>While buffered the event has no id yet (0); the flush that writes it fills the operation's in.</summary>
    private static void ApplyNexusOperationStarted(MutableState s, HistoryEvent e)
    {
        var a = e.NexusOperationStartedEventAttributes;
        if (s.NexusOperations.TryGetValue(a.ScheduledEventId, out var op))
        {
            op.State = NexusOperationState.Started;
            op.StartedEventId = e.EventId;
            op.OperationToken = string.IsNullOrEmpty(a.OperationToken) ? a.OperationId : a.OperationToken;
            op.NextAttemptScheduleTime = null;
        }
    }

    /// <summary>What the handler answered to the cancel request: recorded, nothing more to keep (the bookkeeping has it).</summary>
    private static void ApplyNexusOperationCancelRequestAnswered(MutableState s, HistoryEvent e)
    {
    }

    private static void ApplyNexusOperationCancelRequested(MutableState s, HistoryEvent e)
    {
        var a = e.NexusOperationCancelRequestedEventAttributes;
        if (s.NexusOperations.TryGetValue(a.ScheduledEventId, out var op))
        {
            op.CancelRequestedEventId = e.EventId;
        }
    }
}
