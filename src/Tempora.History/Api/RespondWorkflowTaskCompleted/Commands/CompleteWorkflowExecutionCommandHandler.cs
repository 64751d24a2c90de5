using Temporalio.Api.Command.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;

namespace Tempora.History.Api;

internal sealed class CompleteWorkflowExecutionCommandHandler : ICommandHandler
{
    public void Apply(Command command, CommandContext c)
    {
        var t = c.Transition;
        var complete = command.CompleteWorkflowExecutionCommandAttributes;
        c.CheckPayload(complete?.Result, WorkflowTaskFailedCause.BadCompleteWorkflowExecutionAttributes);
        var completed = c.Event(EventType.WorkflowExecutionCompleted, command);
        completed.WorkflowExecutionCompletedEventAttributes = new WorkflowExecutionCompletedEventAttributes
        {
            Result = complete?.Result,
            WorkflowTaskCompletedEventId = c.CompletedEventId,
        };
        t.CloseRun(completed, WorkflowExecutionStatus.Completed, result: complete?.Result);
    }
}
