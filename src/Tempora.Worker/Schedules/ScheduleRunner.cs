using System.Collections.Concurrent;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Tempora.Core;
using Tempora.Core.Errors;
using Tempora.Core.Loopback;
using Tempora.Core.Metrics;
using Tempora.History;
using Tempora.History.Api;
using Tempora.Persistence;
using Tempora.Persistence.Schedules;
using Tempora.Worker.SystemWork;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Worker.Schedules;

/// <summary>
/// Drives the schedules of this process's shards: at each due time it reads the schedule, lets
/// <see cref="ScheduleMachine"/> decide, does the effect and stores the outcome. A start commits with the
/// schedule's new state in one transaction (<see cref="HistoryEngine.StartScheduledAsync"/>), so a due time is
/// started once however often this process dies or the shard moves: a write that lost a race does nothing, and
/// the schedule is read again.
/// </summary>
public sealed partial class ScheduleRunner : ISystemJob
{
    private const int MaxEffectsPerPass = 50;
    private const int MaxConcurrentLooks = 8;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);

    private readonly IScheduleStore _store;
    private readonly HistoryEngine _history;
    private readonly NamespaceRegistry _namespaces;
    private readonly IShardOwnership _ownership;
    private readonly FrontendClient _frontend;
    private readonly TimeProvider _time;
    private readonly IMetrics _metrics;
    private readonly ILogger<ScheduleRunner> _logger;
    private readonly ScheduleWakeups _wakeups;
    private readonly ScheduledRunWatcher _watcher;
    private readonly CancellationTokenSource _stop = new();

    /// <summary>One look at a schedule at a time (the loop's, or a request's catch-up); different schedules are looked
    /// at side by side, up to <see cref="MaxConcurrentLooks"/>, so that one slow start does not hold up the others.</summary>
    private readonly ConcurrentDictionary<ScheduleKey, SemaphoreSlim> _looking = new();
    private readonly SemaphoreSlim _concurrentLooks = new(MaxConcurrentLooks, MaxConcurrentLooks);
    private Task? _loop;

    public ScheduleRunner(IScheduleStore store, HistoryEngine history, NamespaceRegistry namespaces, IShardOwnership ownership,
        FrontendClient frontend, TimeProvider time, IMetrics metrics, ILogger<ScheduleRunner> logger)
    {
        _metrics = metrics;
        _store = store;
        _history = history;
        _namespaces = namespaces;
        _ownership = ownership;
        _frontend = frontend;
        _time = time;
        _logger = logger;
        _wakeups = new ScheduleWakeups(time);
        _watcher = new ScheduledRunWatcher(frontend, Wake);
    }

    /// <summary>Look at the schedule now (it was created or changed, or a workflow it watches closed).</summary>
    public void Wake(ScheduleKey key) => _wakeups.At(key, _time.GetUtcNow());

    /// <summary>
    /// Does now what is due on the schedule, before a request reads it: as on Temporal, whose describe is a query that
    /// first runs the scheduler's pending work, a trigger or backfill shows in the very next describe. Nothing when
    /// this process runs no worker role.
    /// </summary>
    public async Task CatchUpAsync(ScheduleKey key, CancellationToken ct)
    {
        if (_loop is null)
        {
            return;
        }
        await LookAsync(key, ct);
    }

    public int ShardOf(ScheduleKey key) => Shards.Of(key.NamespaceId, SchedulerWorkflowIds.Of(key.ScheduleId), _ownership.Count);

    public async Task ShardsAcquiredAsync(IReadOnlyCollection<int> shards, CancellationToken ct)
    {
        _loop ??= Task.Run(RunAsync, CancellationToken.None);
        var set = shards.Count >= _ownership.Count ? ShardSet.All : ShardSet.Of(shards);
        // Every schedule is looked at once on arrival: that is where the catch-up after downtime happens.
        foreach (var record in await _store.LoadAsync(set, ct))
        {
            Wake(new ScheduleKey(record.NamespaceId, record.ScheduleId));
        }
    }

    /// <summary>The namespace is being deleted: its schedules are looked at no more (their rows are purged).</summary>
    public void ForgetNamespace(string namespaceId)
    {
        _wakeups.RemoveWhere(k => k.NamespaceId == namespaceId);
        _watcher.Forget(k => k.NamespaceId == namespaceId);
    }

    public void ShardsReleased(IReadOnlyCollection<int> shards)
    {
        var set = shards.ToHashSet();
        _wakeups.RemoveWhere(k => set.Contains(ShardOf(k)));
        _watcher.Forget(k => set.Contains(ShardOf(k)));
    }

    private async Task RunAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            ScheduleKey key;
            try
            {
                key = await _wakeups.NextDueAsync(_stop.Token);
                await _concurrentLooks.WaitAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            _ = Task.Run(async () =>
            {
                try
                {
                    await LookAsync(key, _stop.Token);
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                }
                catch (Exception e)
                {
                    LogFailed(_logger, e, key.ScheduleId, key.NamespaceId);
                    _wakeups.At(key, _time.GetUtcNow() + RetryDelay);
                }
                finally
                {
                    _concurrentLooks.Release();
                }
            }, CancellationToken.None);
        }
    }

    /// <summary>One look at the schedule, alone on it; then it is woken again when the look says.</summary>
    private async Task LookAsync(ScheduleKey key, CancellationToken ct)
    {
        var looking = _looking.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));
        await looking.WaitAsync(ct);
        try
        {
            if (await ProcessAsync(key, ct) is { } next)
            {
                _wakeups.At(key, next);
            }
        }
        finally
        {
            looking.Release();
        }
    }

    /// <summary>One look at a schedule: effects until none is due; answers when to look again (null: when woken).</summary>
    private async Task<DateTimeOffset?> ProcessAsync(ScheduleKey key, CancellationToken ct)
    {
        for (var effects = 0; effects < MaxEffectsPerPass; effects++)
        {
            if (!_ownership.IsLocal(key.NamespaceId, SchedulerWorkflowIds.Of(key.ScheduleId)))
            {
                return null; // its shard's owner drives it now
            }
            var record = await _store.GetAsync(key.NamespaceId, key.ScheduleId, ct);
            if (record is null)
            {
                _watcher.Forget(k => k == key);
                return null; // deleted
            }
            var ns = await _namespaces.GetByIdAsync(key.NamespaceId, ct);
            var state = ScheduleState.FromBytes(record.State);
            var read = DropCounts.Of(state);
            var now = _time.GetUtcNow();
            await RecordClosedRunsAsync(state, ns, now, ct);
            var decision = ScheduleMachine.Advance(state, ns.Name, key.ScheduleId, now);
            try
            {
                switch (decision.Effect)
                {
                    // Writes made in the middle of a look keep the schedule due (next wake: now), so that a describe
                    // arriving meanwhile waits for the look to end instead of showing half of it; the look's last
                    // write stores the real next wake.
                    case StartEffect start:
                        await StartAsync(key, record, read, ns, state, start, now, ct);
                        continue;
                    case StopEffect stop:
                        await StopAsync(ns.Name, stop, ct);
                        ScheduleMachine.RecordStopped(state, stop);
                        await WriteAsync(WriteOf(key, record, ns, state, now, now), read, state, ns.Name, ct);
                        continue;
                    default:
                        var next = decision.NextWake;
                        if (ScheduleMachine.RetentionExpiry(state, now) is { } expiry && state.Info.RunningWorkflows.Count == 0)
                        {
                            if (expiry <= now)
                            {
                                // Nothing left to do for Temporal's retention of a finished schedule: it goes, as there.
                                await _store.WriteAsync(new ScheduleWrite(key.NamespaceId, key.ScheduleId, record.Version, null, null), ct);
                                LogExpired(_logger, key.ScheduleId, key.NamespaceId);
                                return null;
                            }
                            next = next is { } due && due < expiry ? due : expiry;
                        }
                        var changed = !state.ToBytes().AsSpan().SequenceEqual(record.State);
                        if (changed || record.NextWakeTime != next)
                        {
                            await WriteAsync(WriteOf(key, record, ns, state, next, now), read, state, ns.Name, ct);
                        }
                        if (changed && state.OngoingBackfills.Count > 0)
                        {
                            // A backfill is buffered a slice at a time; the next slice is due now, not at the next look.
                            continue;
                        }
                        foreach (var running in state.Info.RunningWorkflows)
                        {
                            _watcher.Watch(key, ns.Name, running.WorkflowId);
                        }
                        return next;
                }
            }
            catch (ScheduleConditionFailedException)
            {
                // A request changed the schedule meanwhile (or this start had committed already): read it again.
            }
        }
        return _time.GetUtcNow(); // more is due: come back after the other schedules had their turn
    }

    private async Task StartAsync(ScheduleKey key, ScheduleRecord record, DropCounts read, NamespaceRecord ns, ScheduleState state,
        StartEffect start, DateTimeOffset now, CancellationToken ct)
    {
        var before = state.ToBytes();
        var runId = Guid.NewGuid().ToString();
        ScheduleMachine.RecordStarted(state, start, runId, now);
        var write = WriteOf(key, record, ns, state, now, now);
        ScheduledStartOutcome outcome;
        try
        {
            outcome = await _history.StartScheduledAsync(new ScheduledStartCall(ns.Id, start.Request.ToByteArray(), runId, write), ct);
        }
        catch (InvalidArgumentException e)
        {
            // The start can never succeed as it is (its search attributes were unregistered, say): Temporal records
            // the action as failed and goes on with the next one rather than retrying it for ever.
            LogStartRefused(_logger, key.ScheduleId, start.Request.WorkflowId, e.Message);
            _metrics.Increment(MetricNames.ScheduleActionErrors, ns.Name);
            state = ScheduleState.FromBytes(before);
            ScheduleMachine.RecordStartFailed(state, start);
            await WriteAsync(WriteOf(key, record, ns, state, now, now), read, state, ns.Name, ct);
            return;
        }
        if (outcome.Started)
        {
            CountCounters(read, state, ns.Name);
            _metrics.Increment(MetricNames.ScheduleActionSuccess, ns.Name);
            _metrics.Record(MetricNames.ScheduleActionDelay, now - start.Actual, ns.Name);
            LogStarted(_logger, key.ScheduleId, start.Request.WorkflowId, runId);
            _watcher.Watch(key, ns.Name, start.Request.WorkflowId);
            return;
        }
        // Its workflow id is running (a user's workflow, or one of ours kept its id): nothing was written.
        state = ScheduleState.FromBytes(before);
        ScheduleMachine.RecordAlreadyRunning(state, start, now);
        await WriteAsync(WriteOf(key, record, ns, state, now, now), read, state, ns.Name, ct);
    }

    private async Task StopAsync(string namespaceName, StopEffect stop, CancellationToken ct)
    {
        var execution = new WorkflowExecution { WorkflowId = stop.WorkflowId, RunId = stop.RunId };
        try
        {
            if (stop.Terminate)
            {
                await _frontend.CallAsync<TerminateWorkflowExecutionRequest, TerminateWorkflowExecutionResponse>(new()
                {
                    Namespace = namespaceName,
                    WorkflowExecution = execution,
                    Reason = stop.Reason,
                    Identity = Identity,
                }, ct);
            }
            else
            {
                await _frontend.CallAsync<RequestCancelWorkflowExecutionRequest, RequestCancelWorkflowExecutionResponse>(new()
                {
                    Namespace = namespaceName,
                    WorkflowExecution = execution,
                    Reason = stop.Reason,
                    Identity = Identity,
                    RequestId = $"{stop.WorkflowId}/{stop.RunId}/cancel",
                }, ct);
            }
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            // closed and gone already: nothing left to stop
        }
    }

    /// <summary>Reads how each workflow the schedule lists as running ended, if it did, into the state.</summary>
    private async Task RecordClosedRunsAsync(ScheduleState state, NamespaceRecord ns, DateTimeOffset now, CancellationToken ct)
    {
        foreach (var running in state.Info.RunningWorkflows.ToList())
        {
            HistoryEvent? close;
            try
            {
                // The current run of the id: a run that continued as new is followed to its successor.
                var response = await _frontend.CallAsync<GetWorkflowExecutionHistoryRequest, GetWorkflowExecutionHistoryResponse>(new()
                {
                    Namespace = ns.Name,
                    Execution = new WorkflowExecution { WorkflowId = running.WorkflowId },
                    HistoryEventFilterType = HistoryEventFilterType.CloseEvent,
                    SkipArchival = true,
                }, ct);
                close = response.History?.Events.LastOrDefault();
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
            {
                // Gone (deleted, or past retention): it is not running any more, and how it ended is lost.
                ScheduleMachine.RecordClosed(state, new ScheduledRunClosed(running.WorkflowId, running.RunId,
                    WorkflowExecutionStatus.Terminated, now, null, null), now);
                continue;
            }
            if (close is not null && ClosedRun(running, close) is { } closed)
            {
                ScheduleMachine.RecordClosed(state, closed, now);
            }
        }
    }

    private static ScheduledRunClosed? ClosedRun(WorkflowExecution running, HistoryEvent close)
    {
        var at = close.EventTime?.ToDateTimeOffset() ?? DateTimeOffset.UnixEpoch;
        ScheduledRunClosed Closed(WorkflowExecutionStatus status, Payloads? result = null, Temporalio.Api.Failure.V1.Failure? failure = null) =>
            new(running.WorkflowId, running.RunId, status, at, result, failure);
        return close.AttributesCase switch
        {
            HistoryEvent.AttributesOneofCase.WorkflowExecutionCompletedEventAttributes =>
                Closed(WorkflowExecutionStatus.Completed, close.WorkflowExecutionCompletedEventAttributes.Result),
            HistoryEvent.AttributesOneofCase.WorkflowExecutionFailedEventAttributes =>
                Closed(WorkflowExecutionStatus.Failed, failure: close.WorkflowExecutionFailedEventAttributes.Failure),
            HistoryEvent.AttributesOneofCase.WorkflowExecutionTimedOutEventAttributes => Closed(WorkflowExecutionStatus.TimedOut),
            HistoryEvent.AttributesOneofCase.WorkflowExecutionCanceledEventAttributes => Closed(WorkflowExecutionStatus.Canceled),
            HistoryEvent.AttributesOneofCase.WorkflowExecutionTerminatedEventAttributes => Closed(WorkflowExecutionStatus.Terminated),
            _ => null, // continued as new: its successor runs on
        };
    }

    /// <summary>Writes a change of the schedule alone, then counts what it dropped (catch-up window, buffer).</summary>
    private async Task WriteAsync(ScheduleWrite write, DropCounts read, ScheduleState written, string namespaceName, CancellationToken ct)
    {
        await _store.WriteAsync(write, ct);
        CountCounters(read, written, namespaceName);
    }

    /// <summary>The schedule's own counters grew between two committed states: the metrics grow by as much.</summary>
    private void CountCounters(DropCounts before, ScheduleState after, string namespaceName)
    {
        if (after.Info.MissedCatchupWindow > before.MissedCatchupWindow)
        {
            _metrics.Add(MetricNames.ScheduleMissedCatchupWindow, after.Info.MissedCatchupWindow - before.MissedCatchupWindow, namespaceName);
        }
        if (after.Info.BufferDropped > before.BufferDropped)
        {
            _metrics.Add(MetricNames.ScheduleBufferOverruns, after.Info.BufferDropped - before.BufferDropped, namespaceName);
        }
    }

    /// <summary>The counters of what a schedule dropped, as the state read from the store had them.</summary>
    private readonly record struct DropCounts(long MissedCatchupWindow, long BufferDropped)
    {
        public static DropCounts Of(ScheduleState state) => new(state.Info.MissedCatchupWindow, state.Info.BufferDropped);
    }

    private ScheduleWrite WriteOf(ScheduleKey key, ScheduleRecord record, NamespaceRecord ns, ScheduleState state, DateTimeOffset? nextWake,
        DateTimeOffset now)
    {
        var version = record.Version + 1;
        return new ScheduleWrite(key.NamespaceId, key.ScheduleId, record.Version,
            record with { Version = version, NextWakeTime = nextWake, State = state.ToBytes() },
            ScheduleVisibilityRecord.Of(key, state, version, ns.CustomSearchAttributes, now));
    }

    private const string Identity = "temporal-scheduler";

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
            // Every look in flight has ended once all the permits are back.
            for (var i = 0; i < MaxConcurrentLooks; i++)
            {
                await _concurrentLooks.WaitAsync(CancellationToken.None);
            }
        }
        await _watcher.DisposeAsync();
        _stop.Dispose();
    }

    [LoggerMessage(EventId = 60, Level = LogLevel.Warning, Message = "Schedule {ScheduleId} of namespace {NamespaceId} could not be advanced; retrying")]
    private static partial void LogFailed(ILogger logger, Exception e, string scheduleId, string namespaceId);

    [LoggerMessage(EventId = 62, Level = LogLevel.Warning, Message = "Schedule {ScheduleId} could not start {WorkflowId}: {Reason}; the action is dropped")]
    private static partial void LogStartRefused(ILogger logger, string scheduleId, string workflowId, string reason);

    [LoggerMessage(EventId = 63, Level = LogLevel.Information, Message = "Schedule {ScheduleId} of namespace {NamespaceId} had nothing left to do for its retention period and was deleted")]
    private static partial void LogExpired(ILogger logger, string scheduleId, string namespaceId);

    [LoggerMessage(EventId = 61, Level = LogLevel.Debug, Message = "Schedule {ScheduleId} started {WorkflowId} as run {RunId}")]
    private static partial void LogStarted(ILogger logger, string scheduleId, string workflowId, string runId);
}
