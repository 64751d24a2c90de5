using Tempora.History.Execution;
using Tempora.History.Queues;
using Temporalio.Api.Command.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;

namespace Tempora.History.Api;

internal sealed class StartTimerCommandHandler : ICommandHandler
{
    public void Apply(Command command, CommandContext c)
    {
        var t = c.Transition;
        var a = command.StartTimerCommandAttributes;
        if (string.IsNullOrEmpty(a?.TimerId) || a.TimerId.Length > HistoryLimits.MaxIdLength)
        {
            throw new CommandValidationException(WorkflowTaskFailedCause.BadStartTimerAttributes, "TimerId is not set or too long on StartTimerCommand.");
        }
        var duration = CommandContext.D(a.StartToFireTimeout);
        if (duration < TimeSpan.Zero)
        {
            throw new CommandValidationException(WorkflowTaskFailedCause.BadStartTimerAttributes, "A valid StartToFireTimeout is not set on StartTimerCommand.");
        }
        if (t.State.Timers.ContainsKey(a.TimerId))
        {
            throw new CommandValidationException(WorkflowTaskFailedCause.StartTimerDuplicateId, $"Timer ID {a.TimerId} already exists.");
        }
        var e = c.Event(EventType.TimerStarted, command);
        e.TimerStartedEventAttributes = new TimerStartedEventAttributes
        {
            TimerId = a.TimerId,
            StartToFireTimeout = a.StartToFireTimeout,
            WorkflowTaskCompletedEventId = c.CompletedEventId,
        };
        t.WriteEvent(e);
        var timer = t.State.Timers[a.TimerId];
        timer.TaskId = t.AddTimer(timer.ExpiryTime, new TimerTaskInfo(TimerTaskKind.UserTimer, e.EventId, TimerId: a.TimerId));
    }
}
