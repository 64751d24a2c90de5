using Tempora.Core.Metrics;
using Tempora.Persistence.Nexus;
using static Tempora.Persistence.Metrics.PersistenceMetrics;

namespace Tempora.Persistence.Metrics;

/// <summary>Counts and times every Nexus endpoint store call, under Temporal's persistence operation names
/// (CreateOrUpdateNexusEndpoint, GetNexusEndpoint, ListNexusEndpoints, DeleteNexusEndpoint).</summary>
public sealed class MeteredNexusEndpointStore(INexusEndpointStore inner, IMetrics metrics) : INexusEndpointStore
{
    public Task CreateAsync(NexusEndpointRecord endpoint, CancellationToken ct) =>
        MeasureAsync(metrics, "CreateOrUpdateNexusEndpoint", () => inner.CreateAsync(endpoint, ct));

    public Task<NexusEndpointRecord> UpdateAsync(NexusEndpointRecord endpoint, long expectedVersion, CancellationToken ct) =>
        MeasureAsync(metrics, "CreateOrUpdateNexusEndpoint", () => inner.UpdateAsync(endpoint, expectedVersion, ct));

    public Task DeleteAsync(string id, long expectedVersion, CancellationToken ct) =>
        MeasureAsync(metrics, "DeleteNexusEndpoint", () => inner.DeleteAsync(id, expectedVersion, ct));

    public Task<NexusEndpointRecord?> GetAsync(string id, CancellationToken ct) =>
        MeasureAsync(metrics, "GetNexusEndpoint", () => inner.GetAsync(id, ct));

    public Task<NexusEndpointRecord?> GetByNameAsync(string name, CancellationToken ct) =>
        MeasureAsync(metrics, "ListNexusEndpoints", () => inner.GetByNameAsync(name, ct));

    public Task<IReadOnlyList<NexusEndpointRecord>> ListAsync(string? afterId, int limit, CancellationToken ct) =>
        MeasureAsync(metrics, "ListNexusEndpoints", () => inner.ListAsync(afterId, limit, ct));

    public Task<NexusEndpointRecord?> FindTargetingAsync(string namespaceId, CancellationToken ct) =>
        MeasureAsync(metrics, "ListNexusEndpoints", () => inner.FindTargetingAsync(namespaceId, ct));
}
