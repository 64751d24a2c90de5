using Tempora.History.Execution;
using Temporalio.Api.Command.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;

namespace Tempora.History.Api;

internal sealed class RecordMarkerCommandHandler : ICommandHandler
{
    public void Apply(Command command, CommandContext c)
    {
        var t = c.Transition;
        var marker = command.RecordMarkerCommandAttributes;
        if (string.IsNullOrEmpty(marker?.MarkerName))
        {
            throw new CommandValidationException(WorkflowTaskFailedCause.BadRecordMarkerAttributes, "MarkerName is not set on RecordMarkerCommand.");
        }
        c.CheckPayload(marker, WorkflowTaskFailedCause.BadRecordMarkerAttributes);
        var recorded = c.Event(EventType.MarkerRecorded, command);
        recorded.MarkerRecordedEventAttributes = new MarkerRecordedEventAttributes
        {
            MarkerName = marker.MarkerName,
            Header = marker.Header,
            Failure = marker.Failure,
            WorkflowTaskCompletedEventId = c.CompletedEventId,
        };
        recorded.MarkerRecordedEventAttributes.Details.Add(marker.Details);
        t.WriteEvent(recorded);
    }
}
