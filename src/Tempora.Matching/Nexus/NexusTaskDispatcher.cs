using System.Collections.Concurrent;
using Tempora.Core;
using Tempora.Core.Errors;
using Tempora.Core.Nexus;

namespace Tempora.Matching.Nexus;

/// <summary>
/// Matching's side of Nexus (Temporal's DispatchNexusTask and RespondNexusTask*): a dispatch puts the task in its
/// queue's memory, where a waiting poller takes it at once or a later one finds it, and waits for the worker's answer
/// by the task's id. Nothing is persisted: a task lost with its process, or not answered in time, ends TimedOut and
/// the caller's history retries it. The dispatch waits in the process that owns the caller's shard, and the worker's
/// answer is routed there by its task token (<see cref="NexusTaskPoller"/>).
/// </summary>
public sealed class NexusTaskDispatcher(MatchingEngine matching, TimeProvider time) : INexusTaskDispatcher
{
    /// <summary>Temporal's answer for an answer to a task that is gone (timed out, answered, or lost with its process).</summary>
    public const string NotFoundMessage = "Nexus task not found or already expired";

    /// <summary>The longest wait a timer takes; a longer timeout waits this long (about 49 days, far past any Nexus request).</summary>
    private static readonly TimeSpan MaxWait = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    private readonly ConcurrentDictionary<string, QueuedNexusTask> _pending = new(StringComparer.Ordinal);

    /// <summary>Dispatches waiting for an answer here, for tests and diagnostics.</summary>
    public int PendingCount => _pending.Count;

    public async Task<NexusTaskOutcome> DispatchAsync(NexusTask task, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var wait = task.Timeout < TimeSpan.Zero ? TimeSpan.Zero : task.Timeout > MaxWait ? MaxWait : task.Timeout;
        var queued = new QueuedNexusTask(Guid.NewGuid().ToString(), task, now + wait);
        var queue = new TaskQueueKey(task.NamespaceId, task.TaskQueue, TaskKind.Nexus);
        var offered = new MatchingTask(0, queue, task.Caller.WorkflowId, task.Caller.RunId, task.ScheduledEventId, Attempt: 1, now)
        {
            Nexus = queued,
        };
        _pending[queued.Id] = queued;
        try
        {
            matching.Dispatch(offered);
            return await queued.Answer.Task.WaitAsync(wait, time, ct);
        }
        catch (TimeoutException) when (!_pending.TryRemove(queued.Id, out _))
        {
            // An answer took the entry just as the wait ended: it was accepted, so it is the outcome.
            return await queued.Answer.Task;
        }
        catch (TimeoutException)
        {
            return NexusTaskOutcome.TimedOutOutcome;
        }
        finally
        {
            _pending.TryRemove(queued.Id, out _);
            // Not handed out yet: take it out of its queue, so that no poller gets a task nobody waits for.
            if (queued.TryClaim())
            {
                matching.Withdraw(offered);
            }
        }
    }

    /// <summary>
    /// Ends the dispatch <paramref name="taskId"/> with a worker's answer. <paramref name="namespaceId"/>, when given, is
    /// the namespace the answer names, which must be the handler's (the task's queue's), as Temporal checks a token's
    /// namespace. NotFound when no dispatch waits for it here: it timed out, was answered already, or waited in a
    /// process that is gone.
    /// </summary>
    public void Complete(string taskId, string? namespaceId, NexusTaskOutcome outcome)
    {
        if (namespaceId is not null && _pending.TryGetValue(taskId, out var named) && named.Task.NamespaceId != namespaceId)
        {
            throw new InvalidArgumentException("Operation requested with a token from a different namespace.");
        }
        if (!_pending.TryRemove(taskId, out var queued))
        {
            throw new EntityNotFoundException(NotFoundMessage);
        }
        queued.Answer.TrySetResult(outcome);
    }
}
