using Temporalio.Api.Command.V1;

namespace Tempora.History.Api;

/// <summary>
/// Applies one command of a workflow task completion to the run: checks its attributes (a bad one throws
/// <see cref="Execution.CommandValidationException"/> with Temporal's cause) and writes its events.
/// </summary>
internal interface ICommandHandler
{
    void Apply(Command command, CommandContext c);
}
