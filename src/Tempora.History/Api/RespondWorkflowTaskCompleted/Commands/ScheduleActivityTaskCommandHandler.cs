using Google.Protobuf.WellKnownTypes;
using Tempora.Core.Errors;
using Tempora.History.Execution;
using Tempora.History.Validation;
using Temporalio.Api.Command.V1;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;

namespace Tempora.History.Api;

internal sealed class ScheduleActivityTaskCommandHandler : ICommandHandler
{
    public void Apply(Command command, CommandContext c)
    {
        var t = c.Transition;
        var request = c.Request;
        var a = command.ScheduleActivityTaskCommandAttributes;
        const WorkflowTaskFailedCause bad = WorkflowTaskFailedCause.BadScheduleActivityAttributes;
        if (a is null)
        {
            throw new CommandValidationException(bad, "ScheduleActivityTaskCommandAttributes is not set on ScheduleActivityTaskCommand.");
        }
        if (string.IsNullOrEmpty(a.ActivityId))
        {
            throw new CommandValidationException(bad, "ActivityId is not set on ScheduleActivityTaskCommand.");
        }
        if (string.IsNullOrEmpty(a.ActivityType?.Name))
        {
            throw new CommandValidationException(bad, "ActivityType is not set on ScheduleActivityTaskCommand.");
        }
        if (a.ActivityId.Length > HistoryLimits.MaxIdLength || a.ActivityType.Name.Length > HistoryLimits.MaxIdLength)
        {
            throw new CommandValidationException(bad, "ActivityId or ActivityType exceeds length limit.");
        }
        foreach (var pending in t.State.Activities.Values)
        {
            if (pending.ActivityId == a.ActivityId)
            {
                throw new CommandValidationException(WorkflowTaskFailedCause.ScheduleActivityDuplicateId,
                    $"Activity ID {a.ActivityId} already exists.");
            }
        }
        if (t.State.Activities.Count >= HistoryLimits.PendingActivitiesLimit)
        {
            throw new CommandValidationException(WorkflowTaskFailedCause.PendingActivitiesLimitExceeded,
                "the number of pending activities, 2000, has reached the per-workflow limit");
        }
        c.CheckPayload(a.Input, bad);
        c.CheckPayload(a.Header, bad);
        CommandContext.Validate(() => TaskQueueNames.CheckCommandQueue(a.TaskQueue?.Name), bad);
        var timeouts = ActivityTimeouts.Normalize(CommandContext.D(a.ScheduleToCloseTimeout), CommandContext.D(a.ScheduleToStartTimeout), CommandContext.D(a.StartToCloseTimeout),
            CommandContext.D(a.HeartbeatTimeout), t.State.RunTimeout)
            ?? throw new CommandValidationException(bad, "A valid StartToClose or ScheduleToClose timeout must be set.");
        RetryPolicy policy;
        try
        {
            policy = RetryPolicies.WithDefaults(a.RetryPolicy);
        }
        catch (InvalidArgumentException invalid)
        {
            throw new CommandValidationException(bad, invalid.Message);
        }
        var taskQueue = string.IsNullOrEmpty(a.TaskQueue?.Name) ? t.State.TaskQueue : a.TaskQueue.Name;
        var e = c.Event(EventType.ActivityTaskScheduled, command);
        e.ActivityTaskScheduledEventAttributes = new ActivityTaskScheduledEventAttributes
        {
            ActivityId = a.ActivityId,
            ActivityType = a.ActivityType,
            TaskQueue = new Temporalio.Api.TaskQueue.V1.TaskQueue { Name = taskQueue, Kind = TaskQueueKind.Normal },
            Header = a.Header,
            Input = a.Input,
            ScheduleToCloseTimeout = Duration.FromTimeSpan(timeouts.ScheduleToClose),
            ScheduleToStartTimeout = Duration.FromTimeSpan(timeouts.ScheduleToStart),
            StartToCloseTimeout = Duration.FromTimeSpan(timeouts.StartToClose),
            HeartbeatTimeout = Duration.FromTimeSpan(timeouts.Heartbeat),
            WorkflowTaskCompletedEventId = c.CompletedEventId,
            RetryPolicy = policy,
            Priority = a.Priority,
        };
        // Eager execution (the worker asked, and has a free slot): only on the run's own queue, which that worker
        // polls, as upstream does; the attempt is started here and returned with the response.
        var eager = a.RequestEagerExecution && taskQueue == t.State.TaskQueue;
        var activity = t.ScheduleActivity(e, eager ? request.Identity : null);
        if (eager)
        {
            c.EagerActivities.Add(activity.ScheduledEventId);
        }
    }
}
