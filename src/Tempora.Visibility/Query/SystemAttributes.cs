using System.Collections.Frozen;

namespace Tempora.Visibility.Query;

/// <summary>
/// The system and predefined search attributes (temporal-compat.md §5.10). Those with a field are members of
/// <see cref="VisibilityRecord"/>; the rest (predefined KeywordList/Keyword/Datetime/Bool ones) live in its SearchAttributesJson under
/// their exact name, like custom ones.
/// </summary>
internal static class SystemAttributeTable
{
    public static readonly FrozenDictionary<string, FilterAttribute> ByName = new FilterAttribute[]
    {
        new("WorkflowId", SearchAttributeType.Keyword, VisibilityField.WorkflowId),
        new("RunId", SearchAttributeType.Keyword, VisibilityField.RunId),
        new("WorkflowType", SearchAttributeType.Keyword, VisibilityField.WorkflowType),
        new("ExecutionStatus", SearchAttributeType.Keyword, VisibilityField.ExecutionStatus),
        new("StartTime", SearchAttributeType.Datetime, VisibilityField.StartTime),
        new("ExecutionTime", SearchAttributeType.Datetime, VisibilityField.ExecutionTime),
        new("CloseTime", SearchAttributeType.Datetime, VisibilityField.CloseTime),
        new("TaskQueue", SearchAttributeType.Keyword, VisibilityField.TaskQueue),
        new("HistoryLength", SearchAttributeType.Int, VisibilityField.HistoryLength),
        new("HistorySizeBytes", SearchAttributeType.Int, VisibilityField.HistorySizeBytes),
        new("ExecutionDuration", SearchAttributeType.Int, VisibilityField.ExecutionDuration),
        new("StateTransitionCount", SearchAttributeType.Int, VisibilityField.StateTransitionCount),
        new("ParentWorkflowId", SearchAttributeType.Keyword, VisibilityField.ParentWorkflowId),
        new("ParentRunId", SearchAttributeType.Keyword, VisibilityField.ParentRunId),
        new("RootWorkflowId", SearchAttributeType.Keyword, VisibilityField.RootWorkflowId),
        new("RootRunId", SearchAttributeType.Keyword, VisibilityField.RootRunId),
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
