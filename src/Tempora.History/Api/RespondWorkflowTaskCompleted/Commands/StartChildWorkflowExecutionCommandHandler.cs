using Tempora.History.Execution;
using Tempora.History.Queues;
using Tempora.History.Validation;
using Temporalio.Api.Command.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;

namespace Tempora.History.Api;

internal sealed class StartChildWorkflowExecutionCommandHandler : ICommandHandler
{
    public void Apply(Command command, CommandContext c)
    {
        var t = c.Transition;
        c.CheckSearchAttributes(command.StartChildWorkflowExecutionCommandAttributes?.SearchAttributes, WorkflowTaskFailedCause.BadSearchAttributes);
        c.CheckSearchAttributesSize(command.StartChildWorkflowExecutionCommandAttributes?.SearchAttributes,
            WorkflowTaskFailedCause.BadStartChildExecutionAttributes);
        var a = command.StartChildWorkflowExecutionCommandAttributes;
        const WorkflowTaskFailedCause bad = WorkflowTaskFailedCause.BadStartChildExecutionAttributes;
        if (a is null || string.IsNullOrEmpty(a.WorkflowId) || string.IsNullOrEmpty(a.WorkflowType?.Name))
        {
            throw new CommandValidationException(bad, "WorkflowId and WorkflowType must be set on StartChildWorkflowExecutionCommand.");
        }
        if (a.WorkflowId.Length > HistoryLimits.MaxIdLength || a.WorkflowType.Name.Length > HistoryLimits.MaxIdLength)
        {
            throw new CommandValidationException(bad, "WorkflowId or WorkflowType exceeds length limit.");
        }
        if (t.State.Children.Count >= HistoryLimits.PendingChildrenLimit)
        {
            throw new CommandValidationException(WorkflowTaskFailedCause.PendingChildWorkflowsLimitExceeded,
                $"the number of pending child workflow executions, {HistoryLimits.PendingChildrenLimit}, has reached the per-workflow limit");
        }
        c.CheckPayload(a.Input, bad);
        c.CheckPayload(a.Header, bad);
        c.CheckMemo(a.Memo, bad);
        CommandContext.Validate(() => TaskQueueNames.CheckCommandQueue(a.TaskQueue?.Name), bad);
        if (a.RetryPolicy is not null)
        {
            CommandContext.Validate(() => RetryPolicies.WithDefaults(a.RetryPolicy), bad);
        }
        if (!string.IsNullOrEmpty(a.CronSchedule))
        {
            CommandContext.Validate(() => CronSchedules.Validate(a.CronSchedule), bad);
        }
        var e = c.Event(EventType.StartChildWorkflowExecutionInitiated, command);
        e.StartChildWorkflowExecutionInitiatedEventAttributes = new StartChildWorkflowExecutionInitiatedEventAttributes
        {
            Namespace = c.TargetNamespace(a.Namespace),
            WorkflowId = a.WorkflowId,
            WorkflowType = a.WorkflowType,
            TaskQueue = string.IsNullOrEmpty(a.TaskQueue?.Name)
                ? new Temporalio.Api.TaskQueue.V1.TaskQueue { Name = t.State.TaskQueue, Kind = TaskQueueKind.Normal }
                : a.TaskQueue,
            Input = a.Input,
            WorkflowExecutionTimeout = a.WorkflowExecutionTimeout,
            WorkflowRunTimeout = a.WorkflowRunTimeout,
            WorkflowTaskTimeout = a.WorkflowTaskTimeout,
            ParentClosePolicy = a.ParentClosePolicy == ParentClosePolicy.Unspecified ? ParentClosePolicy.Terminate : a.ParentClosePolicy,
            Control = a.Control,
            WorkflowTaskCompletedEventId = c.CompletedEventId,
            WorkflowIdReusePolicy = a.WorkflowIdReusePolicy,
            RetryPolicy = a.RetryPolicy,
            CronSchedule = a.CronSchedule,
            Header = a.Header,
            Memo = a.Memo,
            SearchAttributes = a.SearchAttributes,
            Priority = a.Priority,
        };
        t.WriteEvent(e);
        t.AddTransferTask(new TransferTaskInfo(TransferTaskKind.StartChild, e.EventId));
    }
}
