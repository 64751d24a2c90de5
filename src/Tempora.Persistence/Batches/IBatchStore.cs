namespace Tempora.Persistence.Batches;

/// <summary>Batch operations: their rows, the executions each applies to, and writes conditional on the version read.</summary>
public interface IBatchStore
{
    /// <summary>Applies one write in its own transaction; throws <see cref="BatchConditionFailedException"/> when the row
    /// is not at the expected version (or exists, for a create).</summary>
    Task WriteAsync(BatchWrite write, CancellationToken ct);

    Task<BatchRecord?> GetAsync(string namespaceId, string jobId, CancellationToken ct);

    /// <summary>The namespace's batches, newest start first (then by job id); after <paramref name="after"/> when given.</summary>
    Task<IReadOnlyList<BatchRecord>> ListAsync(string namespaceId, int limit, BatchListPosition? after, CancellationToken ct);

    /// <summary>How many of the namespace's batches are running.</summary>
    Task<int> CountRunningAsync(string namespaceId, CancellationToken ct);

    /// <summary>The running batches of the given shards (what their owner runs).</summary>
    Task<IReadOnlyList<BatchRecord>> LoadRunningAsync(ShardSet shards, CancellationToken ct);

    /// <summary>Up to <paramref name="limit"/> items of a batch from sequence number <paramref name="fromSeq"/> on, in order.</summary>
    Task<IReadOnlyList<BatchItem>> GetItemsAsync(string namespaceId, string jobId, long fromSeq, int limit, CancellationToken ct);

    /// <summary>Deletes the closed batches of the given shards (and their items) whose expire time is before
    /// <paramref name="now"/>; answers how many.</summary>
    Task<int> DeleteExpiredAsync(ShardSet shards, DateTimeOffset now, CancellationToken ct);
}

/// <summary>Where a page of <see cref="IBatchStore.ListAsync"/> ended: the last batch's start time and job id.</summary>
public readonly record struct BatchListPosition(DateTimeOffset StartTime, string JobId);
