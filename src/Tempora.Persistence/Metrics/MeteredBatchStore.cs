using Tempora.Core.Metrics;
using Tempora.Persistence.Batches;
using static Tempora.Persistence.Metrics.PersistenceMetrics;

namespace Tempora.Persistence.Metrics;

/// <summary>Counts and times every batch store call. Temporal keeps batches in workflows and has no persistence
/// operations of their own; these names follow its pattern (CreateX, UpdateX, GetX).</summary>
public sealed class MeteredBatchStore(IBatchStore inner, IMetrics metrics) : IBatchStore
{
    public Task WriteAsync(BatchWrite write, CancellationToken ct) =>
        MeasureAsync(metrics, write.IsCreate ? "CreateBatchOperation" : "UpdateBatchOperation", () => inner.WriteAsync(write, ct));

    public Task<BatchRecord?> GetAsync(string namespaceId, string jobId, CancellationToken ct) =>
        MeasureAsync(metrics, "GetBatchOperation", () => inner.GetAsync(namespaceId, jobId, ct));

    public Task<IReadOnlyList<BatchRecord>> ListAsync(string namespaceId, int limit, BatchListPosition? after, CancellationToken ct) =>
        MeasureAsync(metrics, "ListBatchOperations", () => inner.ListAsync(namespaceId, limit, after, ct));

    public Task<int> CountRunningAsync(string namespaceId, CancellationToken ct) =>
        MeasureAsync(metrics, "CountBatchOperations", () => inner.CountRunningAsync(namespaceId, ct));

    public Task<IReadOnlyList<BatchRecord>> LoadRunningAsync(ShardSet shards, CancellationToken ct) =>
        MeasureAsync(metrics, "GetBatchOperations", () => inner.LoadRunningAsync(shards, ct));

    public Task<IReadOnlyList<BatchItem>> GetItemsAsync(string namespaceId, string jobId, long fromSeq, int limit, CancellationToken ct) =>
        MeasureAsync(metrics, "GetBatchOperationItems", () => inner.GetItemsAsync(namespaceId, jobId, fromSeq, limit, ct));

    public Task<int> DeleteExpiredAsync(ShardSet shards, DateTimeOffset now, CancellationToken ct) =>
        MeasureAsync(metrics, "DeleteBatchOperations", () => inner.DeleteExpiredAsync(shards, now, ct));
}
