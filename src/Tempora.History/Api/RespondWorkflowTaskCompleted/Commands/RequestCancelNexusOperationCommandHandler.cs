using Tempora.History.Execution;
using Temporalio.Api.Command.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;

namespace Tempora.History.Api;

/// <summary>RequestCancelNexusOperation, checked as Temporal 1.28 checks it.</summary>
internal sealed class RequestCancelNexusOperationCommandHandler : ICommandHandler
{
    private const WorkflowTaskFailedCause Cause = WorkflowTaskFailedCause.BadRequestCancelNexusOperationAttributes;

    public void Apply(Command command, CommandContext c)
    {
        var t = c.Transition;
        var a = command.RequestCancelNexusOperationCommandAttributes
            ?? throw new CommandValidationException(Cause, "empty CancelNexusOperationCommandAttributes");
        var scheduledId = a.ScheduledEventId;
        var op = t.State.NexusOperations.GetValueOrDefault(scheduledId);
        var finishBuffered = t.State.BufferedEvents.Exists(b => ScheduledIdOfEnd(b) == scheduledId);
        if (op is null && !finishBuffered)
        {
            throw new CommandValidationException(Cause,
                $"requested cancelation for a non-existing or already completed operation with scheduled event ID of {scheduledId}");
        }
        if (op?.CancelRequestedEventId > 0)
        {
            throw new CommandValidationException(Cause, $"cancelation was already requested for an operation with scheduled event ID {scheduledId}");
        }
        var e = c.Event(EventType.NexusOperationCancelRequested, command);
        e.NexusOperationCancelRequestedEventAttributes = new NexusOperationCancelRequestedEventAttributes
        {
            ScheduledEventId = scheduledId,
            WorkflowTaskCompletedEventId = c.CompletedEventId,
        };
        t.WriteEvent(e);
        if (op is not null)
        {
            t.RequestNexusCancellation(op);
        }
    }

    private static long ScheduledIdOfEnd(HistoryEvent e) => e.EventType switch
    {
        EventType.NexusOperationCompleted => e.NexusOperationCompletedEventAttributes.ScheduledEventId,
        EventType.NexusOperationFailed => e.NexusOperationFailedEventAttributes.ScheduledEventId,
        EventType.NexusOperationCanceled => e.NexusOperationCanceledEventAttributes.ScheduledEventId,
        EventType.NexusOperationTimedOut => e.NexusOperationTimedOutEventAttributes.ScheduledEventId,
        _ => -1,
    };
}
