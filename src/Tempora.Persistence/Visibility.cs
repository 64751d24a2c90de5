using Tempora.Visibility.Query;

namespace Tempora.Persistence;

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
    long Version);

/// <summary>The visibility table's columns in the order both stores read and write them.</summary>
public static class VisibilityTable
{
    /// <summary>The upsert's conflict clause (same in both dialects): a newer version replaces the row, an older one
    /// (a write applied late) is ignored.</summary>
    public const string UpsertOnConflict = """
        ON CONFLICT (namespace_id, run_id) DO UPDATE SET
            workflow_id = excluded.workflow_id, workflow_type_name = excluded.workflow_type_name, status = excluded.status,
            start_time = excluded.start_time, execution_time = excluded.execution_time, close_time = excluded.close_time,
            task_queue = excluded.task_queue, history_length = excluded.history_length, history_size_bytes = excluded.history_size_bytes,
            execution_duration = excluded.execution_duration, state_transition_count = excluded.state_transition_count,
            parent_workflow_id = excluded.parent_workflow_id, parent_run_id = excluded.parent_run_id,
            root_workflow_id = excluded.root_workflow_id, root_run_id = excluded.root_run_id, memo = excluded.memo,
            search_attributes = excluded.search_attributes, version = excluded.version
        WHERE excluded.version >= executions_visibility.version
        """;

    public const string Columns = """
        namespace_id, run_id, workflow_id, workflow_type_name, status, start_time, execution_time, close_time, task_queue,
        history_length, history_size_bytes, execution_duration, state_transition_count, parent_workflow_id, parent_run_id,
        root_workflow_id, root_run_id, memo, search_attributes, version
        """;
}

/// <summary>Where a page ended in the fixed order (open runs first, then most recently closed; then start time; then run id).</summary>
public sealed record VisibilityCursor(long CloseTimeKey, long StartTimeKey, string RunId)
{
    /// <summary>The sort key of a close time: open runs sort as the largest value.</summary>
    public static long CloseKey(DateTimeOffset? closeTime) => closeTime is { } t ? MicrosOf(t) : long.MaxValue;

    public static long MicrosOf(DateTimeOffset t) => (t.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    public static DateTimeOffset FromMicros(long micros) => DateTimeOffset.UnixEpoch.AddTicks(micros * 10);
}

public sealed record VisibilityPage(IReadOnlyList<VisibilityRecord> Records, VisibilityCursor? Next);

/// <summary>Visibility: list and count runs of a namespace with a compiled list filter.</summary>
public interface IVisibilityStore
{
    SqlDialect Dialect { get; }

    /// <summary>The placeholder text of the i-th query parameter in this store's SQL.</summary>
    Func<int, string> Placeholder { get; }

    /// <summary>One page in the fixed order, starting after <paramref name="after"/>.</summary>
    Task<VisibilityPage> ListAsync(string namespaceId, CompiledQuery query, int pageSize, VisibilityCursor? after, CancellationToken ct);

    Task<long> CountAsync(string namespaceId, CompiledQuery query, CancellationToken ct);

    /// <summary>Counts per execution status (GROUP BY ExecutionStatus).</summary>
    Task<IReadOnlyList<(int Status, long Count)>> CountByStatusAsync(string namespaceId, CompiledQuery query, CancellationToken ct);

    /// <summary>Runs of a namespace closed before <paramref name="closedBefore"/> (retention), oldest first.</summary>
    Task<IReadOnlyList<(string WorkflowId, string RunId)>> ListClosedBeforeAsync(string namespaceId, DateTimeOffset closedBefore, int limit, CancellationToken ct);

    /// <summary>Makes pending visibility writes visible (stores that apply them asynchronously); a no-op otherwise.</summary>
    Task FlushAsync(CancellationToken ct);
}
