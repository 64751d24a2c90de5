using System.Collections.Concurrent;
using Grpc.Core;
using Tempora.Core;
using Tempora.Persistence;
using Tempora.Persistence.Batches;
using Tempora.Worker.Batch;
using Temporalio.Api.Common.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Worker.Tests.Batch;

/// <summary>The batch store in memory, with the stores' conditional writes.</summary>
internal sealed class MemoryBatchStore : IBatchStore
{
    private readonly object _lock = new();
    private readonly Dictionary<(string, string), BatchRecord> _rows = [];
    private readonly Dictionary<(string, string), SortedDictionary<long, BatchItem>> _items = [];

    public Task WriteAsync(BatchWrite write, CancellationToken ct)
    {
        write.ThrowIfInconsistent();
        lock (_lock)
        {
            var key = (write.Record.NamespaceId, write.Record.JobId);
            var found = _rows.TryGetValue(key, out var row);
            if (write.IsCreate ? found : !found || row!.Version != write.ExpectedVersion)
            {
                throw new BatchConditionFailedException(key.NamespaceId, key.JobId, write.ExpectedVersion);
            }
            _rows[key] = write.Record;
            var items = _items.TryGetValue(key, out var existing) ? existing : _items[key] = [];
            foreach (var item in write.Items)
            {
                items[item.Seq] = item;
            }
        }
        return Task.CompletedTask;
    }

    public Task<BatchRecord?> GetAsync(string namespaceId, string jobId, CancellationToken ct)
    {
        lock (_lock)
        {
            return Task.FromResult(_rows.GetValueOrDefault((namespaceId, jobId)));
        }
    }

    public Task<IReadOnlyList<BatchRecord>> ListAsync(string namespaceId, int limit, BatchListPosition? after, CancellationToken ct) =>
        throw new NotSupportedException();

    public Task<int> CountRunningAsync(string namespaceId, CancellationToken ct)
    {
        lock (_lock)
        {
            return Task.FromResult(_rows.Values.Count(r => r.NamespaceId == namespaceId && r.State == BatchRecord.Running));
        }
    }

    public Task<IReadOnlyList<BatchRecord>> LoadRunningAsync(ShardSet shards, CancellationToken ct)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<BatchRecord>>([.. _rows.Values.Where(r => r.State == BatchRecord.Running)]);
        }
    }

    public Task<IReadOnlyList<BatchItem>> GetItemsAsync(string namespaceId, string jobId, long fromSeq, int limit, CancellationToken ct)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<BatchItem>>(_items.TryGetValue((namespaceId, jobId), out var items)
                ? [.. items.Values.Where(i => i.Seq >= fromSeq).Take(limit)]
                : []);
        }
    }

    public Task<int> DeleteExpiredAsync(ShardSet shards, DateTimeOffset now, CancellationToken ct) => Task.FromResult(0);
}

/// <summary>Records each operation applied; <see cref="Answer"/> decides what each execution's call answers.</summary>
internal sealed class RecordingExecutor(TimeProvider time) : IBatchExecutor
{
    public ConcurrentQueue<(string WorkflowId, string RequestId, DateTimeOffset At)> Applied { get; } = new();

    public List<WorkflowExecution> Selection { get; } = [];

    public Func<string, StatusCode> Answer { get; set; } = _ => StatusCode.OK;

    public Task<IReadOnlyList<WorkflowExecution>> SelectAsync(string ns, string query, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<WorkflowExecution>>(Selection);

    public Task ApplyAsync(StartBatchOperationRequest batch, string requestId, WorkflowExecution execution, CancellationToken ct)
    {
        Applied.Enqueue((execution.WorkflowId, requestId, time.GetUtcNow()));
        var code = Answer(execution.WorkflowId);
        return code == StatusCode.OK ? Task.CompletedTask : throw new RpcException(new Status(code, $"{code} for {execution.WorkflowId}"));
    }
}

/// <summary>This process owns every shard.</summary>
internal sealed class AllShardsHere : IShardOwnership
{
    public int Count => 4;

    public ShardRoute Route(int shard) => ShardRoute.Local;

    public IReadOnlyList<string> Peers => [];

    public bool OwnsEveryShard => true;

    public ShardFence Fence(WorkflowKey key) => new(Shards.Of(key.NamespaceId, key.WorkflowId, Count), ShardFence.Unleased);
}

/// <summary>One namespace, with a one-day retention.</summary>
internal sealed class OneNamespaceStore : INamespaceStore
{
    public static readonly NamespaceRecord Namespace = new("ns-id", "ns", new Temporalio.Api.Namespace.V1.NamespaceInfo { Name = "ns", Id = "ns-id" },
        new Temporalio.Api.Namespace.V1.NamespaceConfig { WorkflowExecutionRetentionTtl = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromDays(1)) });

    public Task CreateAsync(NamespaceRecord ns, CancellationToken ct) => throw new NotSupportedException();

    public Task UpdateAsync(NamespaceRecord ns, CancellationToken ct) => throw new NotSupportedException();

    public Task<NamespaceRecord?> GetByNameAsync(string name, CancellationToken ct) => Task.FromResult(name == Namespace.Name ? Namespace : null);

    public Task<NamespaceRecord?> GetByIdAsync(string id, CancellationToken ct) => Task.FromResult(id == Namespace.Id ? Namespace : null);

    public Task<IReadOnlyList<NamespaceRecord>> ListAsync(CancellationToken ct) => Task.FromResult<IReadOnlyList<NamespaceRecord>>([Namespace]);

    public Task<long> PurgeAsync(string namespaceId, int batchSize, CancellationToken ct) => throw new NotSupportedException();

    public Task DeleteAsync(string namespaceId, CancellationToken ct) => throw new NotSupportedException();
}
