using System.Collections.Frozen;

namespace Tempora.Visibility.Query;

/// <summary>One resolved search attribute: its type and, for system attributes, its column (null: in search_attributes JSON).</summary>
internal sealed record AttributeInfo(string Name, SearchAttributeType Type, string? Column)
{
    public bool IsStatus => Column == "status";

    public bool IsDuration => Column == "execution_duration";
}

/// <summary>
/// The system and predefined search attributes (temporal-compat.md §5.10). Those with a column are stored in
/// executions_visibility; the rest (predefined KeywordList/Keyword/Datetime/Bool ones) live in search_attributes under
/// their exact name, like custom ones.
/// </summary>
internal static class SystemAttributeTable
{
    public static readonly FrozenDictionary<string, AttributeInfo> ByName = new AttributeInfo[]
    {
        new("WorkflowId", SearchAttributeType.Keyword, "workflow_id"),
        new("RunId", SearchAttributeType.Keyword, "run_id"),
        new("WorkflowType", SearchAttributeType.Keyword, "workflow_type_name"),
        new("ExecutionStatus", SearchAttributeType.Keyword, "status"),
        new("StartTime", SearchAttributeType.Datetime, "start_time"),
        new("ExecutionTime", SearchAttributeType.Datetime, "execution_time"),
        new("CloseTime", SearchAttributeType.Datetime, "close_time"),
        new("TaskQueue", SearchAttributeType.Keyword, "task_queue"),
        new("HistoryLength", SearchAttributeType.Int, "history_length"),
        new("HistorySizeBytes", SearchAttributeType.Int, "history_size_bytes"),
        new("ExecutionDuration", SearchAttributeType.Int, "execution_duration"),
        new("StateTransitionCount", SearchAttributeType.Int, "state_transition_count"),
        new("ParentWorkflowId", SearchAttributeType.Keyword, "parent_workflow_id"),
        new("ParentRunId", SearchAttributeType.Keyword, "parent_run_id"),
        new("RootWorkflowId", SearchAttributeType.Keyword, "root_workflow_id"),
        new("RootRunId", SearchAttributeType.Keyword, "root_run_id"),
        new("TemporalChangeVersion", SearchAttributeType.KeywordList, null),
        new("BinaryChecksums", SearchAttributeType.KeywordList, null),
        new("BuildIds", SearchAttributeType.KeywordList, null),
        new("TemporalPauseInfo", SearchAttributeType.KeywordList, null),
        new("TemporalReportedProblems", SearchAttributeType.KeywordList, null),
        new("TemporalUsedWorkerDeploymentVersions", SearchAttributeType.KeywordList, null),
        new("BatcherUser", SearchAttributeType.Keyword, null),
        new("BatcherNamespace", SearchAttributeType.Keyword, null),
        new("TemporalScheduledById", SearchAttributeType.Keyword, null),
        new("TemporalNamespaceDivision", SearchAttributeType.Keyword, null),
        new("TemporalWorkerDeployment", SearchAttributeType.Keyword, null),
        new("TemporalWorkerDeploymentVersion", SearchAttributeType.Keyword, null),
        new("TemporalWorkflowVersioningBehavior", SearchAttributeType.Keyword, null),
        new("TemporalScheduledStartTime", SearchAttributeType.Datetime, null),
        new("TemporalSchedulePaused", SearchAttributeType.Bool, null),
    }.ToFrozenDictionary(a => a.Name, StringComparer.Ordinal);

    public static readonly FrozenDictionary<string, SearchAttributeType> Types =
        ByName.ToFrozenDictionary(p => p.Key, p => p.Value.Type, StringComparer.Ordinal);
}
