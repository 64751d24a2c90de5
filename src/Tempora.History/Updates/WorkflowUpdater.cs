using Tempora.Core;
using Tempora.Core.Errors;
using Tempora.History.Execution;
using Tempora.History.Queues;
using Tempora.History.Visibility;
using Tempora.Persistence;

namespace Tempora.History.Updates;

/// <summary>
/// The one path every change to a run follows: load (cache) → lock → transition → persist (one transaction) →
/// release; tasks and timers the transition created go to matching and the timer queue only after the commit.
/// </summary>
internal sealed class WorkflowUpdater(
    IExecutionStore store,
    NamespaceRegistry namespaces,
    ITaskDispatcher dispatcher,
    TimerQueue timerQueue,
    TransferQueue transferQueue,
    IShardOwnership ownership,
    TaskIdAllocator taskIds,
    TimeProvider time,
    RunCache runs,
    CommittedTransitionMetrics committed,
    RebuildVerifier? rebuildVerifier,
    Tempora.Core.Versioning.IDeploymentRouting? routing = null)
{
    /// <summary>Runs one transition on an existing run under its lock and commits it.</summary>
    public Task<T> UpdateAsync<T>(WorkflowKey key, Func<Transition, T> action, CancellationToken ct) =>
        UpdateAsync(key, (t, _) => action(t), ct);

    /// <summary>As above, with the run's in-memory context (admitted updates live there).</summary>
    public async Task<T> UpdateAsync<T>(WorkflowKey key, Func<Transition, ExecutionContext, T> action, CancellationToken ct)
    {
        var ctx = runs.Context(key);
        await ctx.Lock.WaitAsync(ct);
        Transition? done = null;
        try
        {
            var state = await LoadAsync(ctx, key, ct);
            var ns = await NamespaceOfAsync(key, ct);
            var transition = NewTransition(state);
            transition.Retention = ns is null ? null
                : (ns.Config.WorkflowExecutionRetentionTtl?.ToTimeSpan()).GetValueOrDefault(NamespaceRegistry.DefaultRetention);
            var result = action(transition, ctx);
            if (transition.HasChanges)
            {
                HistoryLimitEnforcement.Apply(transition);
            }
            if (transition.HasChanges)
            {
                await CommitAsync(ctx, transition, create: null, ns: ns);
                done = transition;
            }
            else if (transition.VolatileTasks.Count > 0 || transition.VolatileTimers.Count > 0 || transition.AfterCommit.Count > 0)
            {
                // Only in-memory effects (a speculative workflow task, an update rejection): nothing to write.
                AfterCommit(transition);
                done = transition;
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
            runs.Release(key, ctx);
            Publish(ctx, done);
            runs.TrimToBudget();
        }
    }

    /// <summary>Reads a run's state under its lock without changing it.</summary>
    public async Task<T> ReadAsync<T>(WorkflowKey key, Func<MutableState, ExecutionContext, T> read, CancellationToken ct)
    {
        var ctx = runs.Context(key);
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
            runs.Release(key, ctx);
            runs.TrimToBudget();
        }
    }

    /// <summary>Creates a new run; the current-run pointer must match <paramref name="condition"/>. A
    /// <paramref name="schedule"/> write goes into the same transaction (a scheduled start).</summary>
    public async Task CreateAsync(MutableState state, Action<Transition> build, CurrentRunCondition condition, CancellationToken ct,
        Tempora.Persistence.Schedules.ScheduleWrite? schedule = null)
    {
        var key = new WorkflowKey(state.NamespaceId, state.WorkflowId, state.RunId);
        var ctx = runs.Context(key);
        await ctx.Lock.WaitAsync(ct);
        Transition? done = null;
        try
        {
            var transition = NewTransition(state);
            build(transition);
            await CommitAsync(ctx, transition, condition, schedule);
            done = transition;
        }
        catch
        {
            runs.Evict(key, ctx);
            throw;
        }
        finally
        {
            ctx.Lock.Release();
            Publish(ctx, done);
            runs.TrimToBudget();
        }
    }

    /// <summary>
    /// Runs <paramref name="action"/> on the run's context under its lock, for what changes the run outside a
    /// transition (deletion); the context leaves the cache afterwards.
    /// </summary>
    public async Task LockedThenEvictAsync(WorkflowKey key, Func<ExecutionContext, Task> action, CancellationToken ct)
    {
        var ctx = runs.Context(key);
        await ctx.Lock.WaitAsync(ct);
        try
        {
            await action(ctx);
        }
        finally
        {
            ctx.Lock.Release();
            runs.Evict(key, ctx);
        }
    }

    /// <summary>Runs <paramref name="action"/> on the run's in-memory context under its lock, without loading its state.</summary>
    public async Task LockedAsync(WorkflowKey key, Action<ExecutionContext> action, CancellationToken ct)
    {
        var ctx = runs.Context(key);
        await ctx.Lock.WaitAsync(ct);
        try
        {
            action(ctx);
        }
        finally
        {
            runs.Release(key, ctx);
        }
    }

    /// <summary>The run's namespace, read before the transition so that the commit reuses it; null when it is gone (a
    /// transition that changes nothing needs none, and the commit of one that does refuses as before).</summary>
    private async Task<NamespaceRecord?> NamespaceOfAsync(WorkflowKey key, CancellationToken ct)
    {
        try
        {
            return await namespaces.GetByIdAsync(key.NamespaceId, ct);
        }
        catch (NamespaceNotFoundException)
        {
            return null;
        }
    }

    /// <summary>A transition on <paramref name="state"/> that is never committed (to read what a transition would show).</summary>
    public Transition NewTransition(MutableState state) => new(state, time.GetUtcNow(), taskIds, dispatcher) { Routing = routing };

    private async Task<MutableState> LoadAsync(ExecutionContext ctx, WorkflowKey key, CancellationToken ct)
    {
        if (ctx.State is { } cached)
        {
            return cached;
        }
        var record = await store.GetExecutionAsync(key, ct) ?? throw new EntityNotFoundException("workflow execution not found");
        ctx.State = StateSerializer.Deserialize(record.State);
        ctx.DbVersion = record.DbVersion;
        RunCache.Measure(ctx, record.State.Length);
        return ctx.State;
    }

    private async Task CommitAsync(ExecutionContext ctx, Transition t, CurrentRunCondition? create,
        Tempora.Persistence.Schedules.ScheduleWrite? schedule = null, NamespaceRecord? ns = null)
    {
        var mutation = t.ToMutation(ctx.DbVersion, ownership.Fence(t.Key)) with { Schedule = schedule };
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
        ns ??= await namespaces.GetByIdAsync(t.State.NamespaceId, CancellationToken.None);
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
        var (rebuilt, rebuiltSuccessor) = rebuildVerifier is not null ? await rebuildVerifier.VerifyAsync(ctx, t, mutation, create is not null) : default;
        // Never cancel a write halfway: once started, the transition commits or fails as a whole.
        await store.WriteAsync(mutation, CancellationToken.None);
        ctx.Rebuilt = rebuilt;
        ctx.Visible = visible ?? ctx.Visible;
        ctx.DbVersion = create is not null ? 1 : ctx.DbVersion + 1;
        ctx.State = t.State;
        ctx.History = CachedHistory.With(create is not null ? [] : ctx.History, t.NewEvents);
        RunCache.Measure(ctx, mutation.State.Length);
        committed.Count(t, ns.Name);
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
        if (t.Successor is { } successor)
        {
            // The new run is committed too; cache it as loaded so its first task does not reread it.
            var next = runs.Context(successor.Key);
            if (next.State is null)
            {
                next.State = successor.State;
                next.History = CachedHistory.With([], successor.NewEvents);
                next.Rebuilt = rebuiltSuccessor;
                RunCache.Measure(next, mutation.Successor?.State.Length ?? 0);
            }
            next.Visible = VisibilityRecords.Snapshot(successor.State);
            next.DbVersion = Math.Max(next.DbVersion, 1);
            AfterCommit(successor);
        }
    }

    /// <summary>
    /// Hands the tasks of a committed transition (and of the run it continued into) to matching, and wakes the run's
    /// long polls. Called once the run's lock is released: a poller or long poll woken here goes on to lock the run,
    /// and finding it free saves each of them a wait and a thread hop (the sticky workflow task after an activity,
    /// the result's history poll after the close).
    /// </summary>
    private void Publish(ExecutionContext ctx, Transition? t)
    {
        if (t is null)
        {
            return;
        }
        foreach (var task in t.NewTasks.Concat(t.VolatileTasks))
        {
            dispatcher.Dispatch(task);
        }
        if (t.Successor is { } successor)
        {
            foreach (var task in successor.NewTasks.Concat(successor.VolatileTasks))
            {
                dispatcher.Dispatch(task);
            }
        }
        ctx.NotifyChanged();
    }

    /// <summary>What a commit arms in memory under the run's lock; its tasks are dispatched by <see cref="Publish"/>.</summary>
    private void AfterCommit(Transition t)
    {
        if (t.DeletedTimers.Count > 0)
        {
            timerQueue.Forget(t.DeletedTimers);
        }
        if (t.RetiredTimers.Count > 0)
        {
            timerQueue.Forget(t.RetiredTimers);
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
}
