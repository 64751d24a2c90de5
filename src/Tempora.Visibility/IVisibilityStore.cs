using Tempora.Visibility.Query;

namespace Tempora.Visibility;

/// <summary>
/// Visibility: list and count runs of a namespace with a checked list filter. Each store compiles the filter into its
/// own SQL; nothing above the store sees SQL.
/// </summary>
public interface IVisibilityStore
{
    /// <summary>One page in the fixed order, starting after <paramref name="after"/>.</summary>
    Task<VisibilityPage> ListAsync(string namespaceId, VisibilityQuery query, int pageSize, VisibilityCursor? after, CancellationToken ct);

    Task<long> CountAsync(string namespaceId, VisibilityQuery query, CancellationToken ct);

    /// <summary>Counts per execution status (GROUP BY ExecutionStatus).</summary>
    Task<IReadOnlyList<(int Status, long Count)>> CountByStatusAsync(string namespaceId, VisibilityQuery query, CancellationToken ct);

    /// <summary>Runs of a namespace closed before <paramref name="closedBefore"/> (retention), oldest first.</summary>
    Task<IReadOnlyList<(string WorkflowId, string RunId)>> ListClosedBeforeAsync(string namespaceId, DateTimeOffset closedBefore, int limit, CancellationToken ct);

    /// <summary>Makes pending visibility writes visible (stores that apply them asynchronously); a no-op otherwise.</summary>
    Task FlushAsync(CancellationToken ct);
}
