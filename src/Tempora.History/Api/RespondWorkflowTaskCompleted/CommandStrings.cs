using Tempora.Core.Validation;
using Tempora.History.Execution;
using Temporalio.Api.Command.V1;
using Temporalio.Api.Enums.V1;

namespace Tempora.History.Api;

/// <summary>
/// The strings of a workflow task's command, checked like every request's (<see cref="StorableStrings"/>): one a store
/// cannot hold fails the workflow task with the command's bad-attributes cause (a search attribute's, for one inside
/// search attributes), as Temporal fails a command whose attributes it refuses, instead of refusing the whole call.
/// </summary>
internal static class CommandStrings
{
    public static void Check(Command command, int index)
    {
        if (StorableStrings.Find(command, $"commands[{index}]") is { } problem)
        {
            var cause = problem.Path.Contains(".search_attributes", StringComparison.Ordinal)
                ? WorkflowTaskFailedCause.BadSearchAttributes
                : BadAttributes.CauseOf(command.CommandType);
            throw new CommandValidationException(cause, problem.Message);
        }
    }
}
