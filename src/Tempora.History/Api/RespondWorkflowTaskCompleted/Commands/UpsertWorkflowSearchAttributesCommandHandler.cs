using Tempora.History.Execution;
using Temporalio.Api.Command.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;

namespace Tempora.History.Api;

internal sealed class UpsertWorkflowSearchAttributesCommandHandler : ICommandHandler
{
    public void Apply(Command command, CommandContext c)
    {
        var t = c.Transition;
        var upsert = command.UpsertWorkflowSearchAttributesCommandAttributes;
        if (upsert?.SearchAttributes is null)
        {
            throw new CommandValidationException(WorkflowTaskFailedCause.BadSearchAttributes, "SearchAttributes is not set on UpsertWorkflowSearchAttributesCommand.");
        }
        c.CheckPayload(upsert.SearchAttributes, WorkflowTaskFailedCause.BadSearchAttributes);
        c.CheckSearchAttributes(upsert.SearchAttributes, WorkflowTaskFailedCause.BadSearchAttributes);
        // The size limits hold for the run's attributes after the upsert, as in Temporal.
        c.CheckSearchAttributesSize(upsert.SearchAttributes, WorkflowTaskFailedCause.BadSearchAttributes,
            MapUpserts.Merged(t.State.SearchAttributes, upsert.SearchAttributes));
        var upserted = c.Event(EventType.UpsertWorkflowSearchAttributes, command);
        upserted.UpsertWorkflowSearchAttributesEventAttributes = new UpsertWorkflowSearchAttributesEventAttributes
        {
            SearchAttributes = upsert.SearchAttributes,
            WorkflowTaskCompletedEventId = c.CompletedEventId,
        };
        t.WriteEvent(upserted);
    }
}
