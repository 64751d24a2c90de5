using Tempora.Core;
using Tempora.Core.Errors;
using Tempora.History.Execution;
using Tempora.History.Updates;
using Tempora.Persistence;

namespace Tempora.History.Api;

/// <summary>
/// Work that one run's transition asks of another run (start a child, tell a parent, signal or cancel a workflow).
/// It is queued as an immediate durable task in the first run's transaction and carried out here, at least once:
/// each step is idempotent (request ids, state checks), and the task row is deleted by the final transition.
/// </summary>
internal sealed class CrossRunSteps(IExecutionStore store, WorkflowUpdater updater, IShardOwnership ownership, IRemoteRuns? remote)
{
    /// <summary>
    /// Runs a step on the process that owns the target run's shard: here, or through <see cref="IRemoteRuns"/>.
    /// When the shard is between owners the step fails as unavailable and its durable task retries a second later.
    /// </summary>
    public async Task<T> OnOwnerAsync<T>(string namespaceId, string workflowId, Func<Task<T>> here, Func<string, Task<T>> there)
    {
        var route = ownership.Route(namespaceId, workflowId);
        return route.Kind switch
        {
            ShardRouteKind.Local => await here(),
            ShardRouteKind.Remote when remote is not null => await there(route.Address!),
            _ => throw new ShardUnavailableException(Shards.Of(namespaceId, workflowId, ownership.Count)),
        };
    }

    /// <summary>A forwarded step arrived at a process that does not own the run (any more): the caller retries.</summary>
    public void RequireLocal(string namespaceId, string workflowId)
    {
        if (!ownership.IsLocal(namespaceId, workflowId))
        {
            throw new ShardUnavailableException(Shards.Of(namespaceId, workflowId, ownership.Count));
        }
    }

    /// <summary>
    /// Applies the final step on an open run and deletes the task row with it; a closed or gone run just drops the
    /// row, unless <paramref name="passOn"/> says another run takes the step over (then the row stays until it does).
    /// </summary>
    public async Task FinishOnRunAsync(WorkflowKey key, TransferTaskRecord timer, Action<Transition> apply, CancellationToken ct,
        Func<MutableState, bool>? passOn = null)
    {
        var done = false;
        try
        {
            await updater.UpdateAsync(key, t =>
            {
                if (t.State.IsOpen)
                {
                    t.DeleteTransferTask(timer.TaskId);
                    apply(t);
                    done = true;
                }
                else
                {
                    done = passOn?.Invoke(t.State) ?? false;
                }
                return 0;
            }, ct);
        }
        catch (EntityNotFoundException)
        {
        }
        if (!done)
        {
            await store.DeleteTransferTasksAsync([timer.TaskId], ct);
        }
    }

    public async Task<T?> TryReadAsync<T>(WorkflowKey key, Func<MutableState, T?> read, CancellationToken ct)
    {
        try
        {
            return await updater.ReadAsync(key, (s, _) => read(s), ct);
        }
        catch (EntityNotFoundException)
        {
            return default;
        }
    }
}
