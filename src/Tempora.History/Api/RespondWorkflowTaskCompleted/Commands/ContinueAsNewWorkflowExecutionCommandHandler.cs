using Tempora.History.Execution;
using Tempora.History.Validation;
using Temporalio.Api.Command.V1;
using Temporalio.Api.Enums.V1;

namespace Tempora.History.Api;

internal sealed class ContinueAsNewWorkflowExecutionCommandHandler : ICommandHandler
{
    public void Apply(Command command, CommandContext c)
    {
        var t = c.Transition;
        var continueAsNew = command.ContinueAsNewWorkflowExecutionCommandAttributes
            ?? throw new CommandValidationException(WorkflowTaskFailedCause.BadContinueAsNewAttributes, "ContinueAsNewWorkflowExecutionCommandAttributes is not set.");
        c.CheckPayload(continueAsNew.Input, WorkflowTaskFailedCause.BadContinueAsNewAttributes);
        c.CheckPayload(continueAsNew.Header, WorkflowTaskFailedCause.BadContinueAsNewAttributes);
        c.CheckMemo(continueAsNew.Memo, WorkflowTaskFailedCause.BadContinueAsNewAttributes);
        c.CheckSearchAttributes(continueAsNew.SearchAttributes, WorkflowTaskFailedCause.BadSearchAttributes);
        c.CheckSearchAttributesSize(continueAsNew.SearchAttributes, WorkflowTaskFailedCause.BadContinueAsNewAttributes);
        CommandContext.Validate(() => TaskQueueNames.CheckCommandQueue(continueAsNew.TaskQueue?.Name), WorkflowTaskFailedCause.BadContinueAsNewAttributes);
        if (!string.IsNullOrEmpty(continueAsNew.CronSchedule))
        {
            CommandContext.Validate(() => CronSchedules.Validate(continueAsNew.CronSchedule), WorkflowTaskFailedCause.BadContinueAsNewAttributes);
        }
        if (continueAsNew.RetryPolicy is not null)
        {
            CommandContext.Validate(() => RetryPolicies.WithDefaults(continueAsNew.RetryPolicy), WorkflowTaskFailedCause.BadContinueAsNewAttributes);
        }
        t.ContinueAsNew(continueAsNew, c.CompletedEventId);
    }
}
