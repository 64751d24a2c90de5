using Microsoft.Extensions.Logging;
using Tempora.Core;
using Tempora.History;
using Tempora.Persistence;
using Tempora.Worker.Schedules;
using Tempora.Worker.SystemWork;
using Temporalio.Api.Enums.V1;

namespace Tempora.Worker.Namespaces;

/// <summary>
/// The background half of DeleteNamespace (Temporal's reclaim-resources workflow). DeleteNamespace marks the namespace
/// Deleted and renames it in one write; from then on every replica drops what it holds for the namespace's runs, and
/// the owner of the namespace's shard (<see cref="ShardOf"/>) purges its rows in batches and, at its
/// <see cref="NamespaceRecord.DeleteTime"/>, its own row. The namespaces table is the durable record of the work: a
/// Deleted namespace with a delete time that is still there is still to purge, after a restart or a fail-over too.
/// </summary>
public sealed partial class NamespaceDeleter : ISystemJob
{
    /// <summary>
    /// How often each replica of a cluster looks for deleted namespaces another replica marked. A process alone
    /// (<see cref="IShardOwnership.OwnsEveryShard"/>) marks them all itself and wakes its deleter, so it looks only
    /// then and at a delete time: an idle server is not woken every 2 s to read the namespaces table.
    /// </summary>
    public static readonly TimeSpan ScanInterval = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The least time between the mark and the namespace row's deletion. Another replica may serve a request of the
    /// namespace from its registry cache for up to <see cref="NamespaceRegistry.RefreshAfter"/> after the mark and so
    /// write a row; the purge done at the delete time catches it. Temporal waits the same (its namespace cache refresh
    /// interval plus 2 s) before deleting executions at all.
    /// </summary>
    public static readonly TimeSpan SettleTime = NamespaceRegistry.RefreshAfter + TimeSpan.FromSeconds(2);

    private const int PurgeBatchSize = 1000;

    private readonly NamespaceRegistry _namespaces;
    private readonly HistoryEngine _history;
    private readonly ScheduleRunner _schedules;
    private readonly IShardOwnership _ownership;
    private readonly TimeProvider _time;
    private readonly ILogger<NamespaceDeleter> _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly HashSet<string> _dropped = new(StringComparer.Ordinal);
    private readonly HashSet<string> _purged = new(StringComparer.Ordinal);
    private TaskCompletionSource _wake = NewSignal();
    private Task? _loop;

    public NamespaceDeleter(NamespaceRegistry namespaces, HistoryEngine history, ScheduleRunner schedules, IShardOwnership ownership,
        TimeProvider time, ILogger<NamespaceDeleter> logger)
    {
        _namespaces = namespaces;
        _history = history;
        _schedules = schedules;
        _ownership = ownership;
        _time = time;
        _logger = logger;
    }

    /// <summary>The shard whose owner purges the namespace.</summary>
    public int ShardOf(string namespaceId) => Shards.Of(namespaceId, "", _ownership.Count);

    /// <summary>Look now: a namespace was just marked Deleted here.</summary>
    public void Wake() => Volatile.Read(ref _wake).TrySetResult();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task ShardsAcquiredAsync(IReadOnlyCollection<int> shards, CancellationToken ct)
    {
        _loop ??= Task.Run(RunAsync, CancellationToken.None);
        Wake();
        return Task.CompletedTask;
    }

    public void ShardsReleased(IReadOnlyCollection<int> shards)
    {
        // Nothing to hand over: each pass checks which shards are this process's, and the rows are the state.
    }

    private async Task RunAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var wake = NewSignal();
            Volatile.Write(ref _wake, wake);
            TimeSpan next;
            try
            {
                next = await PassAsync(_stop.Token);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogPassFailed(_logger, e);
                next = ScanInterval;
            }
            try
            {
                using var delay = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                await Task.WhenAny(wake.Task, Task.Delay(next, _time, delay.Token));
                await delay.CancelAsync();
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One look at every Deleted namespace; returns how long until the next one is due.</summary>
    /// <summary>The longest this job sleeps for a namespace's delete time (a timer cannot wait beyond ~49 days).</summary>
    private static readonly TimeSpan MaxWait = TimeSpan.FromDays(1);

    private async Task<TimeSpan> PassAsync(CancellationToken ct)
    {
        var next = _ownership.OwnsEveryShard ? Timeout.InfiniteTimeSpan : ScanInterval;
        foreach (var ns in await _namespaces.ListAsync(ct))
        {
            if (ns.Info.State != NamespaceState.Deleted || ns.DeleteTime is not { } deleteTime)
            {
                continue; // a namespace set to Deleted through UpdateNamespace keeps its data, as on Temporal
            }
            if (_dropped.Add(ns.Id))
            {
                _history.DropNamespace(ns.Id);
                _schedules.ForgetNamespace(ns.Id);
            }
            if (_ownership.Route(ShardOf(ns.Id)).Kind != ShardRouteKind.Local)
            {
                continue;
            }
            var wait = deleteTime - _time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                // The rows go at once (as Temporal deletes the executions before the delay); the namespace's own row
                // waits for its delete time.
                if (_purged.Add(ns.Id))
                {
                    LogPurged(_logger, ns.Name, ns.Id, await _namespaces.PurgeAsync(ns.Id, PurgeBatchSize, ct));
                }
                // A delay of years is allowed (namespace_delete_delay): wake at least daily, as a timer cannot wait that long.
                wait = wait < MaxWait ? wait : MaxWait;
                next = next == Timeout.InfiniteTimeSpan || wait < next ? wait : next;
                continue;
            }
            var purged = await _namespaces.PurgeAsync(ns.Id, PurgeBatchSize, ct);
            // Anything a stale replica wrote since the mark went with the purge just done; now the namespace itself.
            await _namespaces.RemoveAsync(ns, ct);
            LogDeleted(_logger, ns.Name, ns.Id, purged);
        }
        return next;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            try
            {
                await _loop;
            }
            catch (OperationCanceledException)
            {
            }
        }
        _stop.Dispose();
    }

    [LoggerMessage(EventId = 75, Level = LogLevel.Warning, Message = "Deleting namespaces failed; retrying")]
    private static partial void LogPassFailed(ILogger logger, Exception e);

    [LoggerMessage(EventId = 76, Level = LogLevel.Information, Message = "Purged {Count} rows of deleted namespace {Namespace} ({NamespaceId}); its own row goes at its delete time")]
    private static partial void LogPurged(ILogger logger, string @namespace, string namespaceId, long count);

    [LoggerMessage(EventId = 77, Level = LogLevel.Information, Message = "Deleted namespace {Namespace} ({NamespaceId}) is gone ({Count} rows purged last)")]
    private static partial void LogDeleted(ILogger logger, string @namespace, string namespaceId, long count);
}
