using Tempora.History.Execution;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Failure.V1;
using Temporalio.Api.History.V1;

namespace Tempora.History.Api;

/// <summary>How a failed workflow task is recorded.</summary>
internal static class WorkflowTaskFailures
{
    public static HistoryEvent Event(HistoryEvent e, WorkflowTaskInfo wft, WorkflowTaskFailedCause cause, Failure? failure, string identity)
    {
        e.EventType = EventType.WorkflowTaskFailed;
        e.WorkflowTaskFailedEventAttributes = new WorkflowTaskFailedEventAttributes
        {
            ScheduledEventId = wft.ScheduledEventId,
            StartedEventId = wft.StartedEventId,
            Cause = cause,
            Failure = failure,
            Identity = identity,
        };
        return e;
    }

    /// <summary>
    /// What Temporal records in place of a failure too large to keep: a server failure naming the limit, with the
    /// original's message (cut to 64 KiB) as its cause.
    /// </summary>
    public static Failure Oversize(Failure failure)
    {
        const int MaxMessage = 64 * 1024;
        var server = Transition.ServerFailure("Failure exceeds size limit.");
        server.Cause = new Failure
        {
            Message = failure.Message.Length > MaxMessage ? failure.Message[..MaxMessage] : failure.Message,
            Source = failure.Source,
        };
        return server;
    }

    /// <summary>The Go enum short name upstream puts in front of the message (e.g. BadScheduleActivityAttributes).</summary>
    public static string CauseName(WorkflowTaskFailedCause cause) => cause.ToString();
}
