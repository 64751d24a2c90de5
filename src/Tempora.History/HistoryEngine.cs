using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Tempora.Core;
using Tempora.Core.Errors;
using Tempora.Core.Metrics;
using Tempora.History.Execution;
using Tempora.History.Queues;
using Tempora.History.Visibility;
using Tempora.Persistence;
using Temporalio.Api.Common.V1;
using Temporalio.Api.History.V1;

namespace Tempora.History;

/// <summary>
/// Owns the state machine of every run. Each request follows one path: load (cache) → lock → mutate → persist
/// (one transaction) → release; tasks created by the transition are handed to matching, the timer queue and the
/// transfer queue only after the commit.
/// </summary>
public sealed partial class HistoryEngine(
    IExecutionStore store,
    NamespaceRegistry namespaces,
    ITaskDispatcher dispatcher,
    TimerQueue timerQueue,
    TransferQueue transferQueue,
    TaskIdAllocator taskIds,
    TimeProvider time,
    ILogger<HistoryEngine> logger,
    IShardOwnership ownership,
    IRemoteRuns? remote = null,
    IMetrics? metrics = null,
    HistoryOptions? options = null)
{
    private readonly IMetrics _metrics = metrics ?? NullMetrics.Instance;
    private readonly bool _verifyRebuild = options?.VerifyRebuild ?? false;
    private readonly PayloadLimits _limits = options?.Limits ?? new();

    /// <summary>The size limits this engine enforces.</summary>
    public PayloadLimits Limits => _limits;
    private readonly ConcurrentQueue<string> _rebuildMismatches = new();
    private readonly RunCacheBudget _cacheBudget = new(options?.RunCacheMaxBytes ?? HistoryOptions.DefaultRunCacheMaxBytes);
    private int _trimming;

    /// <summary>Every mismatch the rebuild check found (<see cref="HistoryOptions.VerifyRebuild"/>); the tests expect none.</summary>
    public IReadOnlyCollection<string> RebuildMismatches => _rebuildMismatches;

    /// <summary>
    /// Bound on cached runs; past it, idle entries are dropped (they reload from the database). The bytes they hold
    /// are bounded by <see cref="HistoryOptions.RunCacheMaxBytes"/>; this bounds the entries themselves (a run whose
    /// state was trimmed keeps a small context).
    /// </summary>
    private const int MaxCachedExecutions = 20_000;

    /// <summary>Closed runs kept cached (oldest close evicted first): the callers waiting on a result read it right after the close.</summary>
    private const int MaxCachedClosedRuns = 1_024;

    /// <summary>
    /// Runs with at most this many events keep their history in the cache too, so that workflow task polls and the
    /// result read do not go back to the store for events just written (short workflows are the common case). Kept
    /// small because the events are held as objects, for every cached run: at 256, 2,000 open runs of 35 events
    /// each added about 100 MB to the peak (docs/performance.md).
    /// </summary>
    private const int MaxCachedHistoryEvents = 32;

    private readonly ConcurrentQueue<(WorkflowKey Key, ExecutionContext Context)> _closedCached = new();

    private readonly ConcurrentDictionary<WorkflowKey, ExecutionContext> _cache = new();
    private readonly ConcurrentDictionary<string, QueryTask> _queries = new(StringComparer.Ordinal);

    public NamespaceRegistry Namespaces => namespaces;

    /// <summary>
    /// Seeds task ids, carries over task rows an earlier version wrote without a shard, and starts the timer and
    /// transfer queues. The durable timers and tasks of a shard are loaded when the shard arrives
    /// (<see cref="ShardsAcquiredAsync"/>): at once for a single process, as leases are taken on a cluster.
    /// </summary>
    public async Task StartAsync(CancellationToken ct)
    {
        taskIds.Seed(await store.GetMaxTaskIdAsync(ct));
        await store.UpgradeLegacyTasksAsync(ownership.Count, LegacyTransferTimer.ToTransferTask, ct);
        timerQueue.Start(ProcessTimerAsync, []);
        transferQueue.Start(ProcessTransferAsync);
    }

    /// <summary>Runs one transition on an existing run under its lock and commits it.</summary>
    internal Task<T> UpdateAsync<T>(WorkflowKey key, Func<Transition, T> action, CancellationToken ct) =>
        UpdateAsync(key, (t, _) => action(t), ct);

    /// <summary>As above, with the run's in-memory context (admitted updates live there).</summary>
    internal async Task<T> UpdateAsync<T>(WorkflowKey key, Func<Transition, ExecutionContext, T> action, CancellationToken ct)
    {
        var ctx = Context(key);
        await ctx.Lock.WaitAsync(ct);
        try
        {
            var state = await LoadAsync(ctx, key, ct);
            var transition = new Transition(state, time.GetUtcNow(), taskIds, dispatcher);
            var result = action(transition, ctx);
            if (transition.HasChanges)
            {
                EnforceHistoryLimits(transition);
            }
            if (transition.HasChanges)
            {
                await CommitAsync(ctx, transition, create: null);
            }
            else if (transition.VolatileTasks.Count > 0 || transition.VolatileTimers.Count > 0 || transition.AfterCommit.Count > 0)
            {
                // Only in-memory effects (a speculative workflow task, an update rejection): nothing to write.
                AfterCommit(transition);
                ctx.NotifyChanged();
            }
            return result;
        }
        catch
        {
            ctx.State = null; // the in-memory copy may hold half a transition; the database has the truth
            throw;
        }
        finally
        {
            Release(key, ctx);
            TrimToBudget();
        }
    }

    /// <summary>Reads a run's state under its lock without changing it.</summary>
    internal async Task<T> ReadAsync<T>(WorkflowKey key, Func<MutableState, ExecutionContext, T> read, CancellationToken ct)
    {
        var ctx = Context(key);
        await ctx.Lock.WaitAsync(ct);
        try
        {
            return read(await LoadAsync(ctx, key, ct), ctx);
        }
        catch
        {
            ctx.State = null;
            throw;
        }
        finally
        {
            Release(key, ctx);
            TrimToBudget();
        }
    }

    /// <summary>Creates a new run; the current-run pointer must match <paramref name="condition"/>.</summary>
    internal async Task CreateAsync(MutableState state, Action<Transition> build, CurrentRunCondition condition, CancellationToken ct)
    {
        var key = new WorkflowKey(state.NamespaceId, state.WorkflowId, state.RunId);
        var ctx = Context(key);
        await ctx.Lock.WaitAsync(ct);
        try
        {
            var transition = new Transition(state, time.GetUtcNow(), taskIds, dispatcher);
            build(transition);
            await CommitAsync(ctx, transition, condition);
        }
        catch
        {
            Evict(key, ctx);
            throw;
        }
        finally
        {
            ctx.Lock.Release();
            TrimToBudget();
        }
    }

    /// <summary>Deletes a closed run and everything it left (retention); an open or missing run is left alone.</summary>
    public async Task DeleteClosedRunAsync(WorkflowKey key, CancellationToken ct)
    {
        var ctx = Context(key);
        await ctx.Lock.WaitAsync(ct);
        try
        {
            // A missing run still has its visibility row removed (the row outlived it).
            var record = await store.GetExecutionAsync(key, ct);
            if (record is null || record.Status != (int)Temporalio.Api.Enums.V1.WorkflowExecutionStatus.Running)
            {
                await store.DeleteExecutionAsync(key, ownership.Fence(key), CancellationToken.None);
            }
        }
        finally
        {
            ctx.State = null;
            ctx.Lock.Release();
            Evict(key, ctx);
        }
    }

    /// <summary>A run whose history outgrows Temporal's limits is terminated in the same transition (§7).</summary>
    internal static void EnforceHistoryLimits(Transition t)
    {
        if (!t.State.IsOpen)
        {
            return;
        }
        if (t.State.NextEventId - 1 > HistoryLimits.HistoryCountError)
        {
            t.Terminate("Workflow history count exceeds limit.", null, "history-service");
        }
        else if (t.State.HistorySizeBytes > HistoryLimits.HistorySizeError)
        {
            t.Terminate("Workflow history size exceeds limit.", null, "history-service");
        }
    }

    private ExecutionContext Context(WorkflowKey key)
    {
        if (_cache.TryGetValue(key, out var ctx))
        {
            ctx.LastUsed = _cacheBudget.Tick();
            return ctx;
        }
        if (_cache.Count >= MaxCachedExecutions)
        {
            foreach (var (k, candidate) in _cache)
            {
                if (candidate.Lock.CurrentCount == 1 && candidate.HoldsNothingVolatile && _cache.Count >= MaxCachedExecutions / 2)
                {
                    Evict(k, candidate);
                }
            }
        }
        ctx = _cache.GetOrAdd(key, _ => new ExecutionContext(_cacheBudget));
        ctx.LastUsed = _cacheBudget.Tick();
        return ctx;
    }

    /// <summary>Removes a run's context from the cache; what it held stops counting against the budget.</summary>
    private void Evict(WorkflowKey key, ExecutionContext ctx)
    {
        if (_cache.TryRemove(new KeyValuePair<WorkflowKey, ExecutionContext>(key, ctx)))
        {
            ctx.Detach();
        }
    }

    /// <summary>
    /// Keeps the cached runs within <see cref="HistoryOptions.RunCacheMaxBytes"/>: when over it, drops the state and
    /// history of the runs used longest ago until three quarters of the budget are used; they reload from the store
    /// on next use. The context itself stays, so callers waiting on it (long polls, admitted updates) are unaffected,
    /// and a run that is locked or holds what lives only in memory is skipped. One trim at a time.
    /// </summary>
    private void TrimToBudget()
    {
        if (!_cacheBudget.IsExceeded || Interlocked.Exchange(ref _trimming, 1) == 1)
        {
            return;
        }
        try
        {
            var candidates = new List<ExecutionContext>();
            foreach (var (_, ctx) in _cache)
            {
                if (ctx.CachedBytes > 0)
                {
                    candidates.Add(ctx);
                }
            }
            candidates.Sort((a, b) => a.LastUsed.CompareTo(b.LastUsed));
            foreach (var ctx in candidates)
            {
                if (_cacheBudget.UsedBytes <= _cacheBudget.TrimTarget)
                {
                    break;
                }
                if (!ctx.Lock.Wait(0))
                {
                    continue; // in use now: not idle
                }
                try
                {
                    if (ctx.HoldsNothingVolatile)
                    {
                        ctx.State = null;
                    }
                }
                finally
                {
                    ctx.Lock.Release();
                }
            }
        }
        finally
        {
            Volatile.Write(ref _trimming, 0);
        }
    }

    /// <summary>
    /// Records what a run holds in the cache: its state (serialized size <paramref name="stateBytes"/>), the copy the
    /// rebuild check carries, and its cached history.
    /// </summary>
    private static void Measure(ExecutionContext ctx, long stateBytes)
    {
        var bytes = stateBytes * (ctx.Rebuilt is null ? 1 : 2);
        if (ctx.History is { } events)
        {
            foreach (var e in events)
            {
                bytes += e.CalculateSize();
            }
        }
        ctx.Resize(bytes);
    }

    /// <summary>
    /// Unlocks. A closed run stays cached a while, since its result is read right after the close (the SDK's result
    /// long poll); beyond <see cref="MaxCachedClosedRuns"/> the runs closed longest ago leave the cache.
    /// </summary>
    private void Release(WorkflowKey key, ExecutionContext ctx)
    {
        ctx.Lock.Release();
        if (ctx.State is { IsOpen: false } && ctx.Updates.Count == 0 && ctx.Queries.Count == 0 && ctx.MarkClosedCached())
        {
            _closedCached.Enqueue((key, ctx));
            while (_closedCached.Count > MaxCachedClosedRuns && _closedCached.TryDequeue(out var oldest))
            {
                Evict(oldest.Key, oldest.Context);
            }
        }
    }

    private async Task<MutableState> LoadAsync(ExecutionContext ctx, WorkflowKey key, CancellationToken ct)
    {
        if (ctx.State is { } cached)
        {
            return cached;
        }
        var record = await store.GetExecutionAsync(key, ct) ?? throw new EntityNotFoundException("workflow execution not found");
        ctx.State = StateSerializer.Deserialize(record.State);
        ctx.DbVersion = record.DbVersion;
        Measure(ctx, record.State.Length);
        return ctx.State;
    }

    private async Task CommitAsync(ExecutionContext ctx, Transition t, CurrentRunCondition? create)
    {
        var mutation = t.ToMutation(ctx.DbVersion, ownership.Fence(t.Key));
        if (create is not null)
        {
            mutation = mutation with
            {
                CreateWithCurrent = create,
                Current = new CurrentExecutionRecord(t.State.NamespaceId, t.State.WorkflowId, t.State.RunId, t.State.StartRequestId,
                    (int)t.State.Status, t.State.FirstExecutionRunId),
            };
        }
        // The visibility row is written with the transition when what it shows changed (creation, status, memo,
        // search attributes); counters such as the history length follow at the next such change.
        VisibleState? visible = null;
        var ns = await namespaces.GetByIdAsync(t.State.NamespaceId, CancellationToken.None);
        var custom = ns.CustomSearchAttributes;
        if (create is not null || ctx.Visible is not { } shown || !shown.Matches(t.State))
        {
            visible = VisibilityRecords.Snapshot(t.State);
            mutation = mutation with { Visibility = VisibilityRecords.From(t.State, create is not null ? 1 : ctx.DbVersion + 1, custom) };
        }
        if (mutation.Successor is { } successorMutation && t.Successor is { } created)
        {
            mutation = mutation with { Successor = successorMutation with { Visibility = VisibilityRecords.From(created.State, 1, custom) } };
        }
        var (rebuilt, rebuiltSuccessor) = _verifyRebuild ? await VerifyRebuildAsync(ctx, t, mutation, create is not null) : default;
        // Never cancel a write halfway: once started, the transition commits or fails as a whole.
        await store.WriteAsync(mutation, CancellationToken.None);
        ctx.Rebuilt = rebuilt;
        ctx.Visible = visible ?? ctx.Visible;
        ctx.DbVersion = create is not null ? 1 : ctx.DbVersion + 1;
        ctx.State = t.State;
        ctx.History = WithEvents(create is not null ? [] : ctx.History, t.NewEvents);
        Measure(ctx, mutation.State.Length);
        CountCommitted(t, ns.Name);
        AfterCommit(t);
        if (!t.State.IsOpen)
        {
            foreach (var update in ctx.Updates.Values)
            {
                if (update.Rejection is null && !update.Aborted)
                {
                    update.Aborted = true; // nobody will answer it now
                    update.RunContinued = t.Successor is not null;
                }
            }
        }
        ctx.NotifyChanged();
        if (t.Successor is { } successor)
        {
            // The new run is committed too; cache it as loaded so its first task does not reread it.
            var next = Context(successor.Key);
            if (next.State is null)
            {
                next.State = successor.State;
                next.History = WithEvents([], successor.NewEvents);
                next.Rebuilt = rebuiltSuccessor;
                Measure(next, mutation.Successor?.State.Length ?? 0);
            }
            next.Visible = VisibilityRecords.Snapshot(successor.State);
            next.DbVersion = Math.Max(next.DbVersion, 1);
            AfterCommit(successor);
        }
    }

    /// <summary>
    /// The rebuild check (<see cref="HistoryOptions.VerifyRebuild"/>): the run's state rebuilt from its stored
    /// history (read once per load, then carried along) plus the events this commit writes, and the successor's from
    /// its events, must match the states about to be stored; a mismatch fails the commit, naming the first member that
    /// differs. Returns the rebuilt states for the next commit.
    /// </summary>
    private async Task<(MutableState? Run, MutableState? Successor)> VerifyRebuildAsync(ExecutionContext ctx, Transition t,
        ExecutionMutation mutation, bool created)
    {
        var firstNewEventId = mutation.NewHistory.Count > 0 ? mutation.NewHistory[0].FirstEventId : t.State.NextEventId;
        var rebuilt = created ? Identity(t.State) : ctx.Rebuilt ?? MutableStateRebuilder.Rebuild(Identity(t.State),
            await ReadEventsAsync(t.Key, 1, firstNewEventId, CancellationToken.None, fromStore: true));
        Check(t.Key, t.State, rebuilt, mutation.NewHistory);
        MutableState? successor = null;
        if (t.Successor is { } next && mutation.Successor is { } successorMutation)
        {
            successor = Identity(next.State);
            Check(next.Key, next.State, successor, successorMutation.NewHistory);
        }
        return (rebuilt, successor);

        static MutableState Identity(MutableState s) => MutableState.ForNewRun(s.NamespaceId, s.WorkflowId, s.RunId, s.StartRequestId, s.StartTime);

        void Check(WorkflowKey key, MutableState stored, MutableState rebuilding, IReadOnlyList<HistoryBatch> written)
        {
            foreach (var batch in written)
            {
                foreach (var e in Temporalio.Api.History.V1.History.Parser.ParseFrom(batch.Data).Events)
                {
                    MutableStateRebuilder.Replay(rebuilding, e);
                }
            }
            var compared = rebuilding;
            if (stored.BufferedEvents.Count > 0)
            {
                // Buffered events were applied when they arrived but are written later: apply them to a copy.
                compared = StateSerializer.Deserialize(StateSerializer.Serialize(rebuilding));
                foreach (var e in stored.BufferedEvents)
                {
                    EventApplier.Apply(compared, e);
                }
            }
            if (RebuildCheck.FirstDifference(stored, compared) is { } difference)
            {
                var mismatch = new RebuildMismatchException(key, difference);
                _rebuildMismatches.Enqueue(mismatch.Message);
                LogRebuildMismatch(logger, key.NamespaceId, key.WorkflowId, key.RunId, difference);
                throw mismatch;
            }
        }
    }

    [LoggerMessage(EventId = 3002, Level = LogLevel.Error,
        Message = "Rebuild check failed for {WorkflowId}/{RunId} in namespace {NamespaceId}: mutable state rebuilt from history differs at {Difference}")]
    private static partial void LogRebuildMismatch(ILogger logger, string namespaceId, string workflowId, string runId, string difference);

    /// <summary>
    /// The cached history after a commit appended <paramref name="added"/>: null (read the store) when it was not
    /// known, when the run outgrows <see cref="MaxCachedHistoryEvents"/>, or when the ids do not follow on.
    /// </summary>
    private static HistoryEvent[]? WithEvents(HistoryEvent[]? cached, List<HistoryEvent> added)
    {
        if (cached is null || added.Count == 0)
        {
            return cached;
        }
        if (cached.Length + added.Count > MaxCachedHistoryEvents)
        {
            return null;
        }
        for (var i = 0; i < added.Count; i++)
        {
            if (added[i].EventId != cached.Length + 1 + i)
            {
                return null;
            }
        }
        return [.. cached, .. added];
    }

    /// <summary>Workflow outcome and activity timeout metrics of a committed transition.</summary>
    private void CountCommitted(Transition t, string namespaceName)
    {
        if (t.StatusChanged && !t.State.IsOpen)
        {
            var outcome = t.State.Status switch
            {
                Temporalio.Api.Enums.V1.WorkflowExecutionStatus.Completed => MetricNames.WorkflowSuccess,
                Temporalio.Api.Enums.V1.WorkflowExecutionStatus.Failed => MetricNames.WorkflowFailed,
                Temporalio.Api.Enums.V1.WorkflowExecutionStatus.TimedOut => MetricNames.WorkflowTimeout,
                Temporalio.Api.Enums.V1.WorkflowExecutionStatus.Terminated => MetricNames.WorkflowTerminate,
                Temporalio.Api.Enums.V1.WorkflowExecutionStatus.Canceled => MetricNames.WorkflowCancel,
                Temporalio.Api.Enums.V1.WorkflowExecutionStatus.ContinuedAsNew => MetricNames.WorkflowContinuedAsNew,
                _ => null,
            };
            if (outcome is not null)
            {
                _metrics.Increment(outcome, namespaceName);
            }
        }
        foreach (var type in t.ActivityTimeouts)
        {
            var timeout = type switch
            {
                Temporalio.Api.Enums.V1.TimeoutType.ScheduleToStart => MetricNames.ScheduleToStartTimeout,
                Temporalio.Api.Enums.V1.TimeoutType.StartToClose => MetricNames.StartToCloseTimeout,
                Temporalio.Api.Enums.V1.TimeoutType.ScheduleToClose => MetricNames.ScheduleToCloseTimeout,
                _ => MetricNames.HeartbeatTimeout,
            };
            _metrics.Increment(timeout, namespaceName);
        }
    }

    private void AfterCommit(Transition t)
    {
        foreach (var task in t.NewTasks.Concat(t.VolatileTasks))
        {
            dispatcher.Dispatch(task);
        }
        if (t.NewTimers.Count > 0)
        {
            timerQueue.Add(t.NewTimers);
        }
        if (t.VolatileTimers.Count > 0)
        {
            timerQueue.Add(t.VolatileTimers);
        }
        if (t.NewTransferTasks.Count > 0)
        {
            transferQueue.Add(t.NewTransferTasks);
        }
        foreach (var action in t.AfterCommit)
        {
            action();
        }
    }

    /// <summary>The run a request addresses: the given run, or the current run of the workflow id.</summary>
    internal async Task<WorkflowKey> ResolveAsync(string namespaceId, WorkflowExecution? execution, string? firstExecutionRunId, CancellationToken ct)
    {
        var workflowId = execution?.WorkflowId;
        if (string.IsNullOrEmpty(workflowId))
        {
            throw new InvalidArgumentException("WorkflowId is not set on request.");
        }
        if (!string.IsNullOrEmpty(execution!.RunId))
        {
            if (!Guid.TryParse(execution.RunId, out _))
            {
                throw new InvalidArgumentException("Invalid RunId.");
            }
            return new WorkflowKey(namespaceId, workflowId, execution.RunId);
        }
        var current = await store.GetCurrentExecutionAsync(namespaceId, workflowId, ct)
            ?? throw new EntityNotFoundException($"workflow not found for ID: {workflowId}");
        if (!string.IsNullOrEmpty(firstExecutionRunId) && current.FirstExecutionRunId != firstExecutionRunId)
        {
            throw new EntityNotFoundException($"workflow not found for ID: {workflowId}");
        }
        return new WorkflowKey(namespaceId, workflowId, current.RunId);
    }

    /// <summary>Fires one durable timer (called by the timer queue).</summary>
    private async Task ProcessTimerAsync(TimerTaskRecord timer, CancellationToken ct)
    {
        var info = StateSerializer.DeserializeValue<TimerTaskInfo>(timer.Data);
        _metrics.Increment(MetricNames.TimerTaskFired, info.Kind.ToString());
        try
        {
            await UpdateAsync(timer.Key, t =>
            {
                if (!t.State.IsOpen)
                {
                    return 0; // closing the run deleted its timer rows already
                }
                t.DeleteTimer(timer.TaskId);
                FireTimer(t, info, timer);
                return 0;
            }, ct);
        }
        catch (EntityNotFoundException)
        {
            await store.DeleteTasksAsync([timer.TaskId], [], ct);
        }
    }

    /// <summary>Carries out one transfer task (called by the transfer queue).</summary>
    private Task ProcessTransferAsync(TransferTaskRecord task, CancellationToken ct)
    {
        var info = StateSerializer.DeserializeValue<TransferTaskInfo>(task.Data);
        // Counted with the timers, as when transfer work was a timer due at once (docs/observability.md).
        _metrics.Increment(MetricNames.TimerTaskFired, info.Kind.ToString());
        return info.Kind switch
        {
            TransferTaskKind.StartChild => StartChildAsync(task, info, ct),
            TransferTaskKind.NotifyParent => NotifyParentAsync(task, info, ct),
            TransferTaskKind.ParentClosePolicy => ApplyParentClosePolicyAsync(task, info, ct),
            _ => DeliverExternalRequestAsync(task, info, ct),
        };
    }
}
