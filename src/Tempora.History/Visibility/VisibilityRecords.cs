using Google.Protobuf;
using Tempora.History.Execution;
using Tempora.Visibility;
using Tempora.Visibility.Query;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;

namespace Tempora.History.Visibility;

/// <summary>The visibility row of a run, built from its mutable state.</summary>
internal static class VisibilityRecords
{
    public static VisibilityRecord From(MutableState s, long version, IReadOnlyDictionary<string, SearchAttributeType> custom) => new(
        s.NamespaceId,
        s.RunId,
        s.WorkflowId,
        s.WorkflowType,
        (int)s.Status,
        s.StartTime,
        s.ExecutionTime,
        s.CloseTime,
        s.TaskQueue,
        s.NextEventId - 1,
        s.HistorySizeBytes,
        s.CloseTime is { } close ? (long)((close - s.ExecutionTime).Ticks * 100) : null,
        s.StateTransitionCount,
        s.Parent?.WorkflowId,
        s.Parent?.RunId,
        s.Root?.WorkflowId ?? s.WorkflowId,
        s.Root?.RunId ?? s.RunId,
        s.Memo?.ToByteArray(),
        SearchAttributeValues.ToJson(s.SearchAttributes, custom),
        version);

    /// <summary>What the visibility row shows that a transition can change besides counters (they follow at the next change).</summary>
    public static VisibleState Snapshot(MutableState s) =>
        new(s.Status, s.CloseTime, s.ExecutionTime, s.Memo?.Clone(), s.SearchAttributes?.Clone());
}

/// <summary>The fields whose change makes a transition write the visibility row.</summary>
internal sealed record VisibleState(
    WorkflowExecutionStatus Status, DateTimeOffset? CloseTime, DateTimeOffset ExecutionTime, Memo? Memo, SearchAttributes? SearchAttributes)
{
    /// <summary>Whether the row would show the same; compared in place, so that most transitions copy nothing.</summary>
    public bool Matches(MutableState s) => Status == s.Status && CloseTime == s.CloseTime && ExecutionTime == s.ExecutionTime
        && Equals(Memo, s.Memo) && Equals(SearchAttributes, s.SearchAttributes);
}
