using Temporalio.Api.Command.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;

namespace Tempora.History.Api;

internal sealed class FailWorkflowExecutionCommandHandler : ICommandHandler
{
    public void Apply(Command command, CommandContext c)
    {
        var t = c.Transition;
        var fail = command.FailWorkflowExecutionCommandAttributes;
        c.CheckPayload(fail?.Failure, WorkflowTaskFailedCause.BadFailWorkflowExecutionAttributes);
        var failed = c.Event(EventType.WorkflowExecutionFailed, command);
        failed.WorkflowExecutionFailedEventAttributes = new WorkflowExecutionFailedEventAttributes
        {
            Failure = fail?.Failure,
            RetryState = RetryState.RetryPolicyNotSet,
            WorkflowTaskCompletedEventId = c.CompletedEventId,
        };
        t.CloseRun(failed, WorkflowExecutionStatus.Failed, failure: fail?.Failure);
    }
}
