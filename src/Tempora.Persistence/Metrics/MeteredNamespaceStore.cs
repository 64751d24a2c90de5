using Tempora.Core.Metrics;
using static Tempora.Persistence.Metrics.PersistenceMetrics;

namespace Tempora.Persistence.Metrics;

/// <summary>Counts and times every namespace store call.</summary>
public sealed class MeteredNamespaceStore(INamespaceStore inner, IMetrics metrics) : INamespaceStore
{
    public Task CreateAsync(NamespaceRecord ns, CancellationToken ct) =>
        MeasureAsync(metrics, "CreateNamespace", () => inner.CreateAsync(ns, ct));

    public Task UpdateAsync(NamespaceRecord ns, CancellationToken ct) =>
        MeasureAsync(metrics, "UpdateNamespace", () => inner.UpdateAsync(ns, ct));

    public Task<NamespaceRecord?> GetByNameAsync(string name, CancellationToken ct) =>
        MeasureAsync(metrics, "GetNamespace", () => inner.GetByNameAsync(name, ct));

    public Task<NamespaceRecord?> GetByIdAsync(string id, CancellationToken ct) =>
        MeasureAsync(metrics, "GetNamespace", () => inner.GetByIdAsync(id, ct));

    public Task<IReadOnlyList<NamespaceRecord>> ListAsync(CancellationToken ct) =>
        MeasureAsync(metrics, "ListNamespaces", () => inner.ListAsync(ct));

    public Task<long> PurgeAsync(string namespaceId, int batchSize, CancellationToken ct) =>
        MeasureAsync(metrics, "PurgeNamespace", () => inner.PurgeAsync(namespaceId, batchSize, ct));

    public Task DeleteAsync(string namespaceId, CancellationToken ct) =>
        MeasureAsync(metrics, "DeleteNamespace", () => inner.DeleteAsync(namespaceId, ct));
}
