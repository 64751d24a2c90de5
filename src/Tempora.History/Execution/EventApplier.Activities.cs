using Temporalio.Api.History.V1;

namespace Tempora.History.Execution;

internal static partial class EventApplier
{
    /// <summary>A pending activity at its first attempt; retries and starts change only its bookkeeping (no events).</summary>
    private static void ApplyActivityTaskScheduled(MutableState s, HistoryEvent e)
    {
        var a = e.ActivityTaskScheduledEventAttributes;
        var scheduled = e.EventTime.ToDateTimeOffset();
        s.Activities[e.EventId] = new ActivityInfo
        {
            ScheduledEventId = e.EventId,
            ActivityId = a.ActivityId,
            ActivityType = a.ActivityType.Name,
            TaskQueue = a.TaskQueue.Name,
            Input = a.Input,
            Header = a.Header,
            Priority = a.Priority,
            RetryPolicy = a.RetryPolicy ?? new Temporalio.Api.Common.V1.RetryPolicy(),
            ScheduleToCloseTimeout = a.ScheduleToCloseTimeout?.ToTimeSpan() ?? TimeSpan.Zero,
            ScheduleToStartTimeout = a.ScheduleToStartTimeout?.ToTimeSpan() ?? TimeSpan.Zero,
            StartToCloseTimeout = a.StartToCloseTimeout?.ToTimeSpan() ?? TimeSpan.Zero,
            HeartbeatTimeout = a.HeartbeatTimeout?.ToTimeSpan() ?? TimeSpan.Zero,
            ScheduledTime = scheduled,
            CurrentAttemptScheduledTime = scheduled,
        };
    }

    private static void ApplyActivityTaskCancelRequested(MutableState s, HistoryEvent e)
    {
        // The activity may have closed already (its result buffered while the workflow task ran): nothing to mark.
        if (s.Activities.TryGetValue(e.ActivityTaskCancelRequestedEventAttributes.ScheduledEventId, out var activity))
        {
            activity.CancelRequested = true;
            activity.CancelRequestedEventId = e.EventId;
        }
    }

    private static void ApplyTimerStarted(MutableState s, HistoryEvent e)
    {
        var a = e.TimerStartedEventAttributes;
        s.Timers[a.TimerId] = new TimerInfo
        {
            TimerId = a.TimerId,
            StartedEventId = e.EventId,
            ExpiryTime = e.EventTime.ToDateTimeOffset() + (a.StartToFireTimeout?.ToTimeSpan() ?? TimeSpan.Zero),
        };
    }
}
