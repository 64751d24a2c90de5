using System.Text;
using Google.Protobuf.WellKnownTypes;
using Tempora.History;
using Tempora.History.Validation;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Schedule.V1;
using Temporalio.Api.Workflow.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Worker.Schedules;

/// <summary>
/// The checks Temporal 1.28's frontend makes of schedule requests before the scheduler sees them
/// (CreateSchedule, UpdateSchedule, PatchSchedule, validateStartWorkflowArgsForSchedule), in its order and words.
/// Search attributes and payload sizes need the namespace's registry and limits: the RPC layer checks those.
/// </summary>
internal static class ScheduleRequestChecks
{
    /// <summary>The scheduler's own workflow id is this prefix and the schedule id; its length limit applies to both.</summary>
    public const string SchedulerWorkflowIdPrefix = "temporal-sys-scheduler:";

    /// <summary>What a nominal time appended to the action's workflow id looks like; the length check counts it.</summary>
    private const string AppendedTimestampExample = "-2009-11-10T23:00:00Z";

    public static void CheckCreate(CreateScheduleRequest request)
    {
        CheckWorkflowId(SchedulerWorkflowIdPrefix + request.ScheduleId);
        if (string.IsNullOrEmpty(request.RequestId))
        {
            throw new ScheduleRequestException("RequestId is not set on request.");
        }
        if (request.RequestId.Length > HistoryLimits.MaxIdLength)
        {
            throw new ScheduleRequestException("RequestId length exceeds limit.");
        }
    }

    /// <summary>The workflow a schedule starts (none is allowed: such a schedule does nothing, as in Temporal).</summary>
    public static void CheckStartWorkflow(NewWorkflowExecutionInfo? start)
    {
        if (start is null)
        {
            return;
        }
        // An empty id passes: the appended time makes it non-empty, as upstream's check sees it.
        CheckWorkflowId(start.WorkflowId + AppendedTimestampExample);
        if (string.IsNullOrEmpty(start.WorkflowType?.Name))
        {
            throw new ScheduleRequestException("WorkflowType is not set on request.");
        }
        if (start.WorkflowType.Name.Length > HistoryLimits.MaxIdLength)
        {
            throw new ScheduleRequestException("WorkflowType length exceeds limit.");
        }
        CheckTaskQueue(start);
        CheckTimeout(start.WorkflowExecutionTimeout, "WorkflowExecutionTimeoutSeconds");
        CheckTimeout(start.WorkflowRunTimeout, "WorkflowRunTimeoutSeconds");
        CheckTimeout(start.WorkflowTaskTimeout, "WorkflowTaskTimeoutSeconds");
        if (!string.IsNullOrEmpty(start.CronSchedule))
        {
            throw new ScheduleRequestException("Scheduled workflow must not contain CronSchedule");
        }
        if (start.WorkflowIdReusePolicy is not (WorkflowIdReusePolicy.Unspecified or WorkflowIdReusePolicy.AllowDuplicate))
        {
            throw new ScheduleRequestException("Scheduled workflow must not contain WorkflowIDReusePolicy");
        }
    }

    public static void CheckPatch(SchedulePatch patch)
    {
        if (Encoding.UTF8.GetByteCount(patch.Pause) > ScheduleLimits.MaxNotesBytes
            || Encoding.UTF8.GetByteCount(patch.Unpause) > ScheduleLimits.MaxNotesBytes)
        {
            throw new ScheduleRequestException("Schedule notes exceeds limit.");
        }
    }

    private static void CheckWorkflowId(string workflowId)
    {
        if (workflowId.Length > HistoryLimits.MaxIdLength)
        {
            throw new ScheduleRequestException("WorkflowId length exceeds limit.");
        }
    }

    /// <summary>Upstream's tqid.NormalizeAndValidate, whose messages differ from a plain start's.</summary>
    private static void CheckTaskQueue(NewWorkflowExecutionInfo start)
    {
        if (start.TaskQueue is null)
        {
            throw new ScheduleRequestException("taskQueue is not set");
        }
        if (start.TaskQueue.Name.Length == 0)
        {
            throw new ScheduleRequestException("missing task queue name");
        }
        if (start.TaskQueue.Name.Length > HistoryLimits.MaxIdLength)
        {
            throw new ScheduleRequestException("taskQueue length exceeds limit");
        }
        if (start.TaskQueue.Name.StartsWith(TaskQueueNames.ReservedPrefix, StringComparison.Ordinal))
        {
            throw new ScheduleRequestException($"task queue name cannot start with reserved prefix {TaskQueueNames.ReservedPrefix}");
        }
    }

    private static void CheckTimeout(Duration? timeout, string name)
    {
        if (timeout is null)
        {
            return;
        }
        var mixedSigns = (timeout.Seconds > 0 && timeout.Nanos < 0) || (timeout.Seconds < 0 && timeout.Nanos > 0);
        if (mixedSigns || timeout.Seconds < 0 || timeout.Nanos < 0)
        {
            throw new ScheduleRequestException($"An invalid {name} is set on request.");
        }
    }
}
