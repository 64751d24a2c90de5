using Tempora.History.Execution;
using Temporalio.Api.Command.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;

namespace Tempora.History.Api;

internal sealed class RequestCancelActivityTaskCommandHandler : ICommandHandler
{
    public void Apply(Command command, CommandContext c)
    {
        var t = c.Transition;
        var request = c.Request;
        var a = command.RequestCancelActivityTaskCommandAttributes;
        var scheduledId = a?.ScheduledEventId ?? 0;
        var activity = t.State.Activities.GetValueOrDefault(scheduledId);
        var completionBuffered = activity is null && t.State.BufferedEvents.Exists(b => ScheduledIdOfActivityClose(b) == scheduledId);
        if (activity is null && !completionBuffered)
        {
            throw new CommandValidationException(WorkflowTaskFailedCause.BadRequestCancelActivityAttributes,
                $"Unable to find activity with scheduled event id {scheduledId} to cancel.");
        }
        var e = c.Event(EventType.ActivityTaskCancelRequested, command);
        e.ActivityTaskCancelRequestedEventAttributes = new ActivityTaskCancelRequestedEventAttributes
        {
            ScheduledEventId = scheduledId,
            WorkflowTaskCompletedEventId = c.CompletedEventId,
        };
        t.WriteEvent(e);
        if (activity is null)
        {
            return; // it already finished; its buffered result will be delivered
        }
        if (!activity.IsStarted)
        {
            // Not running anywhere (never started, or waiting for a retry): cancelled at once (§3.3).
            t.CancelActivity(activity, null, request.Identity);
        }
    }

    private static long ScheduledIdOfActivityClose(HistoryEvent e) => e.EventType switch
    {
        EventType.ActivityTaskCompleted => e.ActivityTaskCompletedEventAttributes.ScheduledEventId,
        EventType.ActivityTaskFailed => e.ActivityTaskFailedEventAttributes.ScheduledEventId,
        EventType.ActivityTaskTimedOut => e.ActivityTaskTimedOutEventAttributes.ScheduledEventId,
        EventType.ActivityTaskCanceled => e.ActivityTaskCanceledEventAttributes.ScheduledEventId,
        _ => -1,
    };
}
