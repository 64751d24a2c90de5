namespace Tempora.Visibility;

/// <summary>
/// The searchable summary of one run, as the visibility table holds it. Times are UTC; SearchAttributesJson is a JSON
/// object of every non-system attribute (Keyword/Text strings, Int/Double numbers, Bool, Datetime as
/// yyyy-MM-ddTHH:mm:ss.ffffffZ strings, KeywordList arrays). Version orders writes: an older one never overwrites a
/// newer one.
/// </summary>
public sealed record VisibilityRecord(
    string NamespaceId,
    string RunId,
    string WorkflowId,
    string WorkflowType,
    int Status,
    DateTimeOffset StartTime,
    DateTimeOffset ExecutionTime,
    DateTimeOffset? CloseTime,
    string TaskQueue,
    long HistoryLength,
    long HistorySizeBytes,
    long? ExecutionDurationNanos,
    long StateTransitionCount,
    string? ParentWorkflowId,
    string? ParentRunId,
    string RootWorkflowId,
    string RootRunId,
    byte[]? Memo,
    string? SearchAttributesJson,
    long Version)
{
    /// <summary>The format of Datetime values inside <see cref="SearchAttributesJson"/>; it orders like the instants it names.</summary>
    public const string SearchAttributeDatetimeFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";
}
