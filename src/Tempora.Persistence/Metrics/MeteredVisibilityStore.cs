using Tempora.Core.Metrics;
using Tempora.Visibility;
using Tempora.Visibility.Query;
using static Tempora.Persistence.Metrics.PersistenceMetrics;

namespace Tempora.Persistence.Metrics;

/// <summary>Counts and times every visibility store call.</summary>
public sealed class MeteredVisibilityStore(IVisibilityStore inner, IMetrics metrics) : IVisibilityStore
{
    public Task<VisibilityPage> ListAsync(string namespaceId, VisibilityQuery query, int pageSize, VisibilityCursor? after, CancellationToken ct) =>
        MeasureAsync(metrics, "ListWorkflowExecutions", () => inner.ListAsync(namespaceId, query, pageSize, after, ct));

    public Task<long> CountAsync(string namespaceId, VisibilityQuery query, CancellationToken ct) =>
        MeasureAsync(metrics, "CountWorkflowExecutions", () => inner.CountAsync(namespaceId, query, ct));

    public Task<IReadOnlyList<(int Status, long Count)>> CountByStatusAsync(string namespaceId, VisibilityQuery query, CancellationToken ct) =>
        MeasureAsync(metrics, "CountWorkflowExecutionsGroupBy", () => inner.CountByStatusAsync(namespaceId, query, ct));

    public Task<IReadOnlyList<(string WorkflowId, string RunId)>> ListClosedBeforeAsync(string namespaceId, DateTimeOffset closedBefore, int limit, CancellationToken ct) =>
        MeasureAsync(metrics, "ListClosedWorkflowExecutionsBefore", () => inner.ListClosedBeforeAsync(namespaceId, closedBefore, limit, ct));

    public Task FlushAsync(CancellationToken ct) =>
        MeasureAsync(metrics, "FlushVisibility", () => inner.FlushAsync(ct));
}
