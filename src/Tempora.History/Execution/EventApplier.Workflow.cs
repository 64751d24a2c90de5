using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;

namespace Tempora.History.Execution;

internal static partial class EventApplier
{
    /// <summary>
    /// The run's settings come from its first event. The start time is the run's identity (set at creation): for a
    /// reset run it is the time of the reset, not the copied event's, as in Temporal.
    /// </summary>
    private static void ApplyWorkflowExecutionStarted(MutableState s, HistoryEvent e)
    {
        var a = e.WorkflowExecutionStartedEventAttributes;
        var backoff = a.FirstWorkflowTaskBackoff?.ToTimeSpan() ?? TimeSpan.Zero;
        s.FirstExecutionRunId = string.IsNullOrEmpty(a.FirstExecutionRunId) ? s.RunId : a.FirstExecutionRunId;
        s.WorkflowType = a.WorkflowType.Name;
        s.TaskQueue = a.TaskQueue.Name;
        s.ExecutionTime = s.StartTime + backoff;
        s.Status = WorkflowExecutionStatus.Running;
        s.ExecutionTimeout = a.WorkflowExecutionTimeout?.ToTimeSpan() is { } execution && execution > TimeSpan.Zero ? execution : null;
        s.RunTimeout = a.WorkflowRunTimeout?.ToTimeSpan() is { } run && run > TimeSpan.Zero ? run : null;
        s.WorkflowTaskTimeout = a.WorkflowTaskTimeout?.ToTimeSpan() ?? HistoryLimits.DefaultWorkflowTaskTimeout;
        s.ExecutionExpirationTime = a.WorkflowExecutionExpirationTime?.ToDateTimeOffset();
        s.Memo = a.Memo;
        s.SearchAttributes = a.SearchAttributes;
        s.Priority = a.Priority;
        s.UserMetadata = e.UserMetadata;
        s.CompletionCallbacks = [.. a.CompletionCallbacks];
        s.NexusSerializationContext = a.PropagatedNexusSerializationContext;
        s.Attempt = Math.Max(1, a.Attempt);
        s.RetryPolicy = a.RetryPolicy;
        s.CronSchedule = a.CronSchedule;
        s.Root = a.RootWorkflowExecution;
        s.Parent = a.ParentWorkflowExecution is { } parent
            ? new ParentInfo
            {
                NamespaceId = a.ParentWorkflowNamespaceId,
                Namespace = a.ParentWorkflowNamespace,
                WorkflowId = parent.WorkflowId,
                RunId = parent.RunId,
                InitiatedEventId = a.ParentInitiatedEventId,
            }
            : null;
        // Retries and cron runs start again from the same input, so keep what they need.
        s.StartedAttributes = a.RetryPolicy is not null || !string.IsNullOrEmpty(a.CronSchedule) ? a : null;
        ApplyStartedVersioning(s, a);
        ResetPointRecorder.RecordStart(s, a);
    }

    private static void ApplyWorkflowExecutionSignaled(MutableState s, HistoryEvent e)
    {
        s.SignalCount++;
        var requestId = e.WorkflowExecutionSignaledEventAttributes.RequestId;
        if (!string.IsNullOrEmpty(requestId))
        {
            s.SignalRequestIds.Add(requestId);
        }
    }

    /// <summary>
    /// A start that attached to this run (on-conflict options): its request id and completion callbacks; or
    /// UpdateWorkflowExecutionOptions: the versioning override set or unset.
    /// </summary>
    private static void ApplyWorkflowExecutionOptionsUpdated(MutableState s, HistoryEvent e)
    {
        var a = e.WorkflowExecutionOptionsUpdatedEventAttributes;
        if (!string.IsNullOrEmpty(a.AttachedRequestId))
        {
            s.AttachedRequestIds.Add(a.AttachedRequestId);
        }
        s.CompletionCallbacks.AddRange(a.AttachedCompletionCallbacks);
        ApplyOptionsUpdatedVersioning(s, a);
    }

    /// <summary>A closed run has nothing pending; what was pending was retired by the transition that closed it.</summary>
    private static void ApplyWorkflowExecutionClosed(MutableState s, HistoryEvent e, WorkflowExecutionStatus status)
    {
        s.Status = status;
        s.CloseTime = e.EventTime.ToDateTimeOffset();
        s.WorkflowTask = null;
        s.Activities.Clear();
        s.Timers.Clear();
        s.Children.Clear();
        s.ExternalRequests.Clear();
        s.NexusOperations.Clear();
        s.BufferedEvents.Clear();
    }
}
