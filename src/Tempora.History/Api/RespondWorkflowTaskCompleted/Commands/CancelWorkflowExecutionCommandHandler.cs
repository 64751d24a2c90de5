using Temporalio.Api.Command.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;

namespace Tempora.History.Api;

internal sealed class CancelWorkflowExecutionCommandHandler : ICommandHandler
{
    public void Apply(Command command, CommandContext c)
    {
        var t = c.Transition;
        var cancel = command.CancelWorkflowExecutionCommandAttributes;
        var canceled = c.Event(EventType.WorkflowExecutionCanceled, command);
        canceled.WorkflowExecutionCanceledEventAttributes = new WorkflowExecutionCanceledEventAttributes
        {
            Details = cancel?.Details,
            WorkflowTaskCompletedEventId = c.CompletedEventId,
        };
        t.CloseRun(canceled, WorkflowExecutionStatus.Canceled);
    }
}
