using Tempora.History.Execution;
using Temporalio.Api.Command.V1;
using Temporalio.Api.Enums.V1;

namespace Tempora.History.Api;

internal sealed class ProtocolMessageCommandHandler : ICommandHandler
{
    public void Apply(Command command, CommandContext c)
    {
        var messageId = command.ProtocolMessageCommandAttributes?.MessageId ?? "";
        if (!c.Messages.TryGetValue(messageId, out var referenced))
        {
            throw new CommandValidationException(WorkflowTaskFailedCause.BadUpdateWorkflowExecutionMessage,
                $"ProtocolMessageCommand references message {messageId}, which is not in the request.");
        }
        c.ApplyMessage(referenced);
    }
}
