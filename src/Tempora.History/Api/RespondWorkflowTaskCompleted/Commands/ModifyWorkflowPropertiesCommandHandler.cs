using Tempora.History.Execution;
using Temporalio.Api.Command.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;

namespace Tempora.History.Api;

internal sealed class ModifyWorkflowPropertiesCommandHandler : ICommandHandler
{
    public void Apply(Command command, CommandContext c)
    {
        var t = c.Transition;
        var modify = command.ModifyWorkflowPropertiesCommandAttributes;
        if (modify?.UpsertedMemo is null)
        {
            throw new CommandValidationException(WorkflowTaskFailedCause.BadModifyWorkflowPropertiesAttributes, "UpsertedMemo is not set on ModifyWorkflowPropertiesCommand.");
        }
        if (c.Limits.IsMemoTooLarge(MapUpserts.Merged(t.State.Memo, modify.UpsertedMemo)))
        {
            throw new CommandValidationException(WorkflowTaskFailedCause.BadModifyWorkflowPropertiesAttributes, "Memo size exceeds limit.",
                terminatesWorkflow: true);
        }
        var modified = c.Event(EventType.WorkflowPropertiesModified, command);
        modified.WorkflowPropertiesModifiedEventAttributes = new WorkflowPropertiesModifiedEventAttributes
        {
            UpsertedMemo = modify.UpsertedMemo,
            WorkflowTaskCompletedEventId = c.CompletedEventId,
        };
        t.WriteEvent(modified);
    }
}
