using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;

namespace Tempora.History.Execution;

internal static partial class EventApplier
{
    /// <summary>
    /// A scheduled workflow task. A transient or speculative task's Scheduled event is applied too, while it is only
    /// virtual (its id is the one it will get when written, §3.4).
    /// </summary>
    private static void ApplyWorkflowTaskScheduled(MutableState s, HistoryEvent e)
    {
        var a = e.WorkflowTaskScheduledEventAttributes;
        var sticky = a.TaskQueue?.Kind == TaskQueueKind.Sticky;
        s.WorkflowTaskAttempt = Math.Max(1, a.Attempt);
        s.WorkflowTask = new WorkflowTaskInfo
        {
            ScheduledEventId = e.EventId,
            Attempt = s.WorkflowTaskAttempt,
            ScheduledTime = e.EventTime.ToDateTimeOffset(),
            TaskQueue = sticky ? a.TaskQueue!.Name : s.TaskQueue,
            OnStickyQueue = sticky,
            StartToCloseTimeout = a.StartToCloseTimeout?.ToTimeSpan() ?? s.WorkflowTaskTimeout,
        };
    }

    private static void ApplyWorkflowTaskStarted(MutableState s, HistoryEvent e)
    {
        var a = e.WorkflowTaskStartedEventAttributes;
        if (s.WorkflowTask is not { } wft || wft.ScheduledEventId != a.ScheduledEventId)
        {
            throw new InvalidOperationException($"WorkflowTaskStarted {e.EventId} names scheduled event {a.ScheduledEventId}, which is not the pending workflow task.");
        }
        wft.StartedEventId = e.EventId;
        wft.StartedTime = e.EventTime.ToDateTimeOffset();
        wft.Identity = a.Identity;
        wft.RequestId = a.RequestId;
        wft.TargetVersionChanged = a.TargetWorkerDeploymentVersionChanged;
        wft.StartedWorkerVersion = a.WorkerVersion;
    }

    private static void ApplyWorkflowTaskCompleted(MutableState s, HistoryEvent e)
    {
        var a = e.WorkflowTaskCompletedEventAttributes;
        s.LastCompletedWorkflowTaskStartedEventId = a.StartedEventId;
        s.WorkflowTask = null;
        s.WorkflowTaskAttempt = 1;
        ApplyCompletedVersioning(s, a);
        ResetPointRecorder.RecordCompletion(s, e);
    }

    /// <summary>Failed or timed out: the next attempt (and whether it is sticky) is the transition's bookkeeping.</summary>
    private static void ApplyWorkflowTaskEnded(MutableState s, HistoryEvent e)
    {
        s.WorkflowTask = null;
        if (e.WorkflowTaskFailedEventAttributes is { Cause: WorkflowTaskFailedCause.ResetWorkflow, BaseRunId.Length: > 0 } reset)
        {
            ApplyResetPoint(s, reset.BaseRunId);
        }
    }
}
