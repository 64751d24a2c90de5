using Tempora.History.Execution;
using Tempora.History.Queues;
using Temporalio.Api.Command.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;

namespace Tempora.History.Api;

internal sealed class SignalExternalWorkflowExecutionCommandHandler : ICommandHandler
{
    public void Apply(Command command, CommandContext c)
    {
        var t = c.Transition;
        var a = command.SignalExternalWorkflowExecutionCommandAttributes;
        const WorkflowTaskFailedCause bad = WorkflowTaskFailedCause.BadSignalWorkflowExecutionAttributes;
        if (a is null || string.IsNullOrEmpty(a.Execution?.WorkflowId) || string.IsNullOrEmpty(a.SignalName))
        {
            throw new CommandValidationException(bad, "Execution and SignalName must be set on SignalExternalWorkflowExecutionCommand.");
        }
        c.CheckPayload(a.Input, bad);
        c.CheckPayload(a.Header, bad);
        c.CheckExternalLimit(WorkflowTaskFailedCause.PendingSignalsLimitExceeded);
        var e = c.Event(EventType.SignalExternalWorkflowExecutionInitiated, command);
        e.SignalExternalWorkflowExecutionInitiatedEventAttributes = new SignalExternalWorkflowExecutionInitiatedEventAttributes
        {
            WorkflowTaskCompletedEventId = c.CompletedEventId,
            Namespace = c.TargetNamespace(a.Namespace),
            WorkflowExecution = a.Execution,
            SignalName = a.SignalName,
            Input = a.Input,
            Control = a.Control,
            ChildWorkflowOnly = a.ChildWorkflowOnly,
            Header = a.Header,
        };
        t.WriteEvent(e);
        t.AddTransferTask(new TransferTaskInfo(TransferTaskKind.SignalExternal, e.EventId));
    }
}
