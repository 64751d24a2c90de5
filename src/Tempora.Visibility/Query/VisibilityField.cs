namespace Tempora.Visibility.Query;

/// <summary>The member of <see cref="VisibilityRecord"/> that holds a system search attribute (one per attribute).</summary>
public enum VisibilityField
{
    WorkflowId,
    RunId,
    WorkflowType,
    ExecutionStatus,
    StartTime,
    ExecutionTime,
    CloseTime,
    TaskQueue,
    HistoryLength,
    HistorySizeBytes,
    ExecutionDuration,
    StateTransitionCount,
    ParentWorkflowId,
    ParentRunId,
    RootWorkflowId,
    RootRunId,
}
