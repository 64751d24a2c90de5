using System.Collections.Concurrent;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Tempora.Core;
using Tempora.Core.Loopback;
using Tempora.History;
using Tempora.Persistence;
using Tempora.Persistence.Batches;
using Tempora.Worker.SystemWork;
using Temporalio.Api.Common.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Worker.Batch;

/// <summary>
/// Runs the batch operations of this process's shards. A batch first stores its selection as an ordered list of
/// executions (one write), then applies its operation to them in order, at its rate; after each one, one write stores
/// the item's outcome with the cursor and the counts, conditional on the version read. So after a crash or a shard's
/// move the new owner resumes at the first item not recorded; that item may have been applied already, and its
/// request id (<see cref="BatchOperations.RequestIdOf"/>) makes applying it again a no-op. A write that loses its
/// condition (the batch was stopped) ends the loop.
/// </summary>
public sealed partial class BatchRunner : ISystemJob
{
    private const int ItemsPerRead = 100;
    private const int MaxAttempts = 5;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ExpiryInterval = TimeSpan.FromHours(1);

    private readonly IBatchStore _store;
    private readonly NamespaceRegistry _namespaces;
    private readonly IShardOwnership _ownership;
    private readonly IBatchExecutor _operations;
    private readonly TimeProvider _time;
    private readonly ILogger<BatchRunner> _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<BatchKey, Loop> _loops = new();
    private readonly ConcurrentDictionary<int, bool> _owned = new();
    private Task? _expiry;
    private int _disposed;

    public BatchRunner(IBatchStore store, NamespaceRegistry namespaces, IShardOwnership ownership, FrontendClient frontend, TimeProvider time,
        ILogger<BatchRunner> logger)
        : this(store, namespaces, ownership, new BatchOperations(frontend, time), time, logger)
    {
    }

    internal BatchRunner(IBatchStore store, NamespaceRegistry namespaces, IShardOwnership ownership, IBatchExecutor operations, TimeProvider time,
        ILogger<BatchRunner> logger)
    {
        _store = store;
        _namespaces = namespaces;
        _ownership = ownership;
        _operations = operations;
        _time = time;
        _logger = logger;
    }

    private sealed record Loop(CancellationTokenSource Cancel, Task Task);

    /// <summary>Whether this process runs batches (it has the worker role and has been told its shards).</summary>
    public bool Active => _expiry is not null;

    public int ShardOf(BatchKey key) => Shards.Of(key.NamespaceId, BatchJobIds.ShardKeyOf(key.JobId), _ownership.Count);

    /// <summary>Runs the batch here unless it already runs (a new batch, or one found on a shard's arrival).</summary>
    public void Run(BatchKey key)
    {
        if (!Active || _stop.IsCancellationRequested)
        {
            return;
        }
        _loops.AddOrUpdate(key, Start, (k, loop) => loop.Task.IsCompleted ? Start(k) : loop);
    }

    private Loop Start(BatchKey key)
    {
        var cancel = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        return new Loop(cancel, Task.Run(() => RunLoopAsync(key, cancel.Token), CancellationToken.None));
    }

    /// <summary>Ends the batch's loop here (it was stopped) and waits for it: no item is applied after this returns.</summary>
    public async Task CancelAsync(BatchKey key)
    {
        if (_loops.TryRemove(key, out var loop))
        {
            await loop.Cancel.CancelAsync();
            await loop.Task;
            loop.Cancel.Dispose();
        }
    }

    public async Task ShardsAcquiredAsync(IReadOnlyCollection<int> shards, CancellationToken ct)
    {
        foreach (var shard in shards)
        {
            _owned[shard] = true;
        }
        _expiry ??= Task.Run(ExpireLoopAsync, CancellationToken.None);
        var set = shards.Count >= _ownership.Count ? ShardSet.All : ShardSet.Of(shards);
        foreach (var record in await _store.LoadRunningAsync(set, ct))
        {
            Run(new BatchKey(record.NamespaceId, record.JobId));
        }
    }

    public void ShardsReleased(IReadOnlyCollection<int> shards)
    {
        var set = shards.ToHashSet();
        foreach (var shard in shards)
        {
            _owned.TryRemove(shard, out _);
        }
        foreach (var (key, loop) in _loops)
        {
            if (set.Contains(ShardOf(key)) && _loops.TryRemove(key, out _))
            {
                loop.Cancel.Cancel(); // the loop ends at its next await; its new owner resumes from the stored cursor
            }
        }
    }

    private async Task RunLoopAsync(BatchKey key, CancellationToken ct)
    {
        BatchRateLimiter? limiter = null;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var record = await _store.GetAsync(key.NamespaceId, key.JobId, ct);
                if (record is null || record.State != BatchRecord.Running || !_ownership.IsLocal(key.NamespaceId, BatchJobIds.ShardKeyOf(key.JobId)))
                {
                    return; // gone, closed, or its shard's owner runs it now
                }
                var data = BatchData.FromBytes(record.Data);
                limiter ??= new BatchRateLimiter(data.OperationsPerSecond, _time);
                if (!data.Resolved)
                {
                    await ResolveAsync(record, data, ct);
                }
                else if (data.NextItem >= data.ItemCount)
                {
                    await CloseAsync(record, data, ct);
                    return;
                }
                else
                {
                    await ApplyItemsAsync(key, record, data, limiter, ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (BatchConditionFailedException)
            {
                // Someone else wrote the batch (a stop, or a previous owner's last write): read it again.
            }
            catch (Exception e)
            {
                LogFailed(_logger, e, key.JobId, key.NamespaceId);
                try
                {
                    await Task.Delay(RetryDelay, _time, ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Stores the selection as the batch's items, in one write: the executions the request listed, or every
    /// execution the query matches now.</summary>
    private async Task ResolveAsync(BatchRecord record, BatchData data, CancellationToken ct)
    {
        var request = data.StartRequest();
        var executions = data.Query.Length > 0 ? await _operations.SelectAsync(request.Namespace, data.Query, ct) : request.Executions;
        var items = executions.Select((e, i) => new BatchItem(i, e.WorkflowId, e.RunId, BatchItem.Pending, null)).ToList();
        await WriteAsync(record, data with { Resolved = true, ItemCount = items.Count }, items, ct);
    }

    private async Task ApplyItemsAsync(BatchKey key, BatchRecord record, BatchData data, BatchRateLimiter limiter, CancellationToken ct)
    {
        var request = data.StartRequest();
        foreach (var item in await _store.GetItemsAsync(key.NamespaceId, key.JobId, data.NextItem, ItemsPerRead, ct))
        {
            await limiter.WaitAsync(ct);
            var requestId = BatchOperations.RequestIdOf(key, record.StartTime, item.Seq);
            var failure = await ApplyAsync(request, requestId, new WorkflowExecution { WorkflowId = item.WorkflowId, RunId = item.RunId }, ct);
            data = data with
            {
                NextItem = item.Seq + 1,
                CompleteCount = data.CompleteCount + (failure is null ? 1 : 0),
                FailureCount = data.FailureCount + (failure is null ? 0 : 1),
            };
            var outcome = item with { Outcome = failure is null ? BatchItem.Done : BatchItem.Failed, Message = failure };
            record = await WriteAsync(record, data, [outcome], ct);
        }
    }

    /// <summary>Applies the operation to one execution; answers null when done, else why it failed. As in Temporal,
    /// NotFound counts as done (the run is closed or gone); a transient error is tried again a few times.</summary>
    private async Task<string?> ApplyAsync(StartBatchOperationRequest request, string requestId, WorkflowExecution execution, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _operations.ApplyAsync(request, requestId, execution, ct);
                return null;
            }
            catch (RpcException e) when (!ct.IsCancellationRequested)
            {
                if (e.StatusCode == StatusCode.NotFound)
                {
                    return null;
                }
                if (attempt >= MaxAttempts || !IsTransient(e.StatusCode))
                {
                    LogItemFailed(_logger, execution.WorkflowId, execution.RunId, e.StatusCode, e.Status.Detail);
                    return $"{e.StatusCode}: {e.Status.Detail}";
                }
            }
            await Task.Delay(RetryDelay, _time, ct);
        }
    }

    private static bool IsTransient(StatusCode code) =>
        code is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.ResourceExhausted or StatusCode.Aborted
            or StatusCode.Internal or StatusCode.Unknown;

    private async Task CloseAsync(BatchRecord record, BatchData data, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var retention = await RetentionAsync(record.NamespaceId, ct);
        await WriteAsync(record with { State = (int)Temporalio.Api.Enums.V1.BatchOperationState.Completed, ExpireTime = now + retention },
            data with { CloseTime = now }, [], ct);
    }

    /// <summary>How long a closed batch stays: its namespace's retention, as Temporal keeps its batch workflows.</summary>
    internal async Task<TimeSpan> RetentionAsync(string namespaceId, CancellationToken ct)
    {
        var ns = await _namespaces.GetByIdAsync(namespaceId, ct);
        return ns.Config.WorkflowExecutionRetentionTtl?.ToTimeSpan() is { } ttl && ttl > TimeSpan.Zero ? ttl : NamespaceRegistry.DefaultRetention;
    }

    private async Task<BatchRecord> WriteAsync(BatchRecord record, BatchData data, IReadOnlyList<BatchItem> items, CancellationToken ct)
    {
        var next = record with { Version = record.Version + 1, Data = data.ToBytes() };
        await _store.WriteAsync(new BatchWrite(record.Version, next, items), ct);
        return next;
    }

    /// <summary>Drops the closed batches of the owned shards whose retention has passed, at each shard's arrival and
    /// then hourly.</summary>
    private async Task ExpireLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var owned = _owned.Keys.ToList();
                if (owned.Count > 0)
                {
                    var set = owned.Count >= _ownership.Count ? ShardSet.All : ShardSet.Of(owned);
                    await _store.DeleteExpiredAsync(set, _time.GetUtcNow(), _stop.Token);
                }
                await Task.Delay(ExpiryInterval, _time, _stop.Token);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogExpiryFailed(_logger, e);
                try
                {
                    await Task.Delay(ExpiryInterval, _time, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return; // the worker role and the container may both dispose it
        }
        await _stop.CancelAsync();
        foreach (var loop in _loops.Values)
        {
            await loop.Task;
        }
        if (_expiry is not null)
        {
            await _expiry;
        }
        _stop.Dispose();
    }

    [LoggerMessage(EventId = 70, Level = LogLevel.Warning, Message = "Batch {JobId} of namespace {NamespaceId} could not advance; retrying")]
    private static partial void LogFailed(ILogger logger, Exception e, string jobId, string namespaceId);

    [LoggerMessage(EventId = 71, Level = LogLevel.Information, Message = "Batch operation on {WorkflowId} ({RunId}) failed: {Code} {Message}")]
    private static partial void LogItemFailed(ILogger logger, string workflowId, string runId, StatusCode code, string message);

    [LoggerMessage(EventId = 72, Level = LogLevel.Warning, Message = "Expired batches could not be deleted; trying again later")]
    private static partial void LogExpiryFailed(ILogger logger, Exception e);
}
