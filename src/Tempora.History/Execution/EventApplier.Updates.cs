using Temporalio.Api.History.V1;

namespace Tempora.History.Execution;

internal static partial class EventApplier
{
    /// <summary>Admitted by an event (a reset reapplies updates this way): the worker reads the request from history.</summary>
    private static void ApplyWorkflowExecutionUpdateAdmitted(MutableState s, HistoryEvent e)
    {
        var id = e.WorkflowExecutionUpdateAdmittedEventAttributes.Request.Meta.UpdateId;
        s.Updates[id] = new UpdateRecord { AdmittedEventId = e.EventId };
    }

    private static void ApplyWorkflowExecutionUpdateAccepted(MutableState s, HistoryEvent e)
    {
        var id = e.WorkflowExecutionUpdateAcceptedEventAttributes.ProtocolInstanceId;
        var record = s.Updates.GetValueOrDefault(id) ?? new UpdateRecord();
        record.AcceptedEventId = e.EventId;
        s.Updates[id] = record;
    }

    private static void ApplyWorkflowExecutionUpdateCompleted(MutableState s, HistoryEvent e)
    {
        var a = e.WorkflowExecutionUpdateCompletedEventAttributes;
        var id = a.Meta?.UpdateId;
        if (string.IsNullOrEmpty(id))
        {
            id = s.Updates.FirstOrDefault(u => u.Value.AcceptedEventId == a.AcceptedEventId).Key;
        }
        if (id is not null && s.Updates.TryGetValue(id, out var record))
        {
            record.CompletedEventId = e.EventId;
        }
    }
}
