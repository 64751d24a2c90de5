using Tempora.History.Execution;
using Tempora.History.Queues;
using Temporalio.Api.Command.V1;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;

namespace Tempora.History.Api;

internal sealed class RequestCancelExternalWorkflowExecutionCommandHandler : ICommandHandler
{
    public void Apply(Command command, CommandContext c)
    {
        var t = c.Transition;
        var a = command.RequestCancelExternalWorkflowExecutionCommandAttributes;
        if (a is null || string.IsNullOrEmpty(a.WorkflowId))
        {
            throw new CommandValidationException(WorkflowTaskFailedCause.BadRequestCancelExternalWorkflowExecutionAttributes,
                "WorkflowId must be set on RequestCancelExternalWorkflowExecutionCommand.");
        }
        c.CheckExternalLimit(WorkflowTaskFailedCause.PendingRequestCancelLimitExceeded);
        var e = c.Event(EventType.RequestCancelExternalWorkflowExecutionInitiated, command);
        e.RequestCancelExternalWorkflowExecutionInitiatedEventAttributes = new RequestCancelExternalWorkflowExecutionInitiatedEventAttributes
        {
            WorkflowTaskCompletedEventId = c.CompletedEventId,
            Namespace = c.TargetNamespace(a.Namespace),
            WorkflowExecution = new WorkflowExecution { WorkflowId = a.WorkflowId, RunId = a.RunId },
            Control = a.Control,
            ChildWorkflowOnly = a.ChildWorkflowOnly,
            Reason = a.Reason,
        };
        t.WriteEvent(e);
        t.AddTransferTask(new TransferTaskInfo(TransferTaskKind.CancelExternal, e.EventId));
    }
}
