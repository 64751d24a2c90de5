using Tempora.History.Execution;
using Temporalio.Api.Command.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;

namespace Tempora.History.Api;

internal sealed class CancelTimerCommandHandler : ICommandHandler
{
    public void Apply(Command command, CommandContext c)
    {
        var t = c.Transition;
        var request = c.Request;
        var a = command.CancelTimerCommandAttributes;
        var timerId = a?.TimerId ?? "";
        long startedEventId;
        if (t.State.Timers.TryGetValue(timerId, out var timer))
        {
            startedEventId = timer.StartedEventId;
            t.DeleteTimer(timer.TaskId);
        }
        else
        {
            // Fired while this task ran: the worker has not seen TimerFired yet, so upstream drops it and cancels.
            var index = t.State.BufferedEvents.FindIndex(b => b.EventType == EventType.TimerFired && b.TimerFiredEventAttributes.TimerId == timerId);
            if (index < 0)
            {
                throw new CommandValidationException(WorkflowTaskFailedCause.BadCancelTimerAttributes, $"Timer ID {timerId} is not found.");
            }
            startedEventId = t.State.BufferedEvents[index].TimerFiredEventAttributes.StartedEventId;
            t.State.BufferedEvents.RemoveAt(index);
        }
        var e = c.Event(EventType.TimerCanceled, command);
        e.TimerCanceledEventAttributes = new TimerCanceledEventAttributes
        {
            TimerId = timerId,
            StartedEventId = startedEventId,
            WorkflowTaskCompletedEventId = c.CompletedEventId,
            Identity = request.Identity,
        };
        t.WriteEvent(e);
    }
}
