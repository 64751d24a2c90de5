using Temporalio.Api.Enums.V1;

namespace Tempora.History.Api;

/// <summary>The cause Temporal fails a workflow task with when a command of a type has attributes it refuses.</summary>
internal static class BadAttributes
{
    public static WorkflowTaskFailedCause CauseOf(CommandType type) => type switch
    {
        CommandType.ScheduleActivityTask => WorkflowTaskFailedCause.BadScheduleActivityAttributes,
        CommandType.RequestCancelActivityTask => WorkflowTaskFailedCause.BadRequestCancelActivityAttributes,
        CommandType.StartTimer => WorkflowTaskFailedCause.BadStartTimerAttributes,
        CommandType.CancelTimer => WorkflowTaskFailedCause.BadCancelTimerAttributes,
        CommandType.CompleteWorkflowExecution => WorkflowTaskFailedCause.BadCompleteWorkflowExecutionAttributes,
        CommandType.FailWorkflowExecution => WorkflowTaskFailedCause.BadFailWorkflowExecutionAttributes,
        CommandType.CancelWorkflowExecution => WorkflowTaskFailedCause.BadCancelWorkflowExecutionAttributes,
        CommandType.RecordMarker => WorkflowTaskFailedCause.BadRecordMarkerAttributes,
        CommandType.UpsertWorkflowSearchAttributes => WorkflowTaskFailedCause.BadSearchAttributes,
        CommandType.ModifyWorkflowProperties => WorkflowTaskFailedCause.BadModifyWorkflowPropertiesAttributes,
        CommandType.ContinueAsNewWorkflowExecution => WorkflowTaskFailedCause.BadContinueAsNewAttributes,
        CommandType.StartChildWorkflowExecution => WorkflowTaskFailedCause.BadStartChildExecutionAttributes,
        CommandType.SignalExternalWorkflowExecution => WorkflowTaskFailedCause.BadSignalWorkflowExecutionAttributes,
        CommandType.RequestCancelExternalWorkflowExecution => WorkflowTaskFailedCause.BadRequestCancelExternalWorkflowExecutionAttributes,
        CommandType.ProtocolMessage => WorkflowTaskFailedCause.BadUpdateWorkflowExecutionMessage,
        CommandType.ScheduleNexusOperation => WorkflowTaskFailedCause.BadScheduleNexusOperationAttributes,
        CommandType.RequestCancelNexusOperation => WorkflowTaskFailedCause.BadRequestCancelNexusOperationAttributes,
        _ => WorkflowTaskFailedCause.Unspecified,
    };
}
