using System.Collections.Frozen;
using Temporalio.Api.Enums.V1;

namespace Tempora.History.Api;

/// <summary>The handler of each command type this server implements; a type missing here fails the task (FeatureDisabled).</summary>
internal static class CommandHandlers
{
    private static readonly FrozenDictionary<CommandType, ICommandHandler> ByType = new Dictionary<CommandType, ICommandHandler>
    {
        [CommandType.ScheduleActivityTask] = new ScheduleActivityTaskCommandHandler(),
        [CommandType.RequestCancelActivityTask] = new RequestCancelActivityTaskCommandHandler(),
        [CommandType.StartTimer] = new StartTimerCommandHandler(),
        [CommandType.CancelTimer] = new CancelTimerCommandHandler(),
        [CommandType.CompleteWorkflowExecution] = new CompleteWorkflowExecutionCommandHandler(),
        [CommandType.FailWorkflowExecution] = new FailWorkflowExecutionCommandHandler(),
        [CommandType.CancelWorkflowExecution] = new CancelWorkflowExecutionCommandHandler(),
        [CommandType.RecordMarker] = new RecordMarkerCommandHandler(),
        [CommandType.UpsertWorkflowSearchAttributes] = new UpsertWorkflowSearchAttributesCommandHandler(),
        [CommandType.ModifyWorkflowProperties] = new ModifyWorkflowPropertiesCommandHandler(),
        [CommandType.ContinueAsNewWorkflowExecution] = new ContinueAsNewWorkflowExecutionCommandHandler(),
        [CommandType.StartChildWorkflowExecution] = new StartChildWorkflowExecutionCommandHandler(),
        [CommandType.SignalExternalWorkflowExecution] = new SignalExternalWorkflowExecutionCommandHandler(),
        [CommandType.RequestCancelExternalWorkflowExecution] = new RequestCancelExternalWorkflowExecutionCommandHandler(),
        [CommandType.ProtocolMessage] = new ProtocolMessageCommandHandler(),
        [CommandType.ScheduleNexusOperation] = new ScheduleNexusOperationCommandHandler(),
        [CommandType.RequestCancelNexusOperation] = new RequestCancelNexusOperationCommandHandler(),
    }.ToFrozenDictionary();

    public static ICommandHandler? For(CommandType type) => ByType.GetValueOrDefault(type);
}
