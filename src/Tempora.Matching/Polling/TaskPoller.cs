using Tempora.Core;
using Tempora.Core.Errors;
using Tempora.Core.Versioning;
using Tempora.Persistence;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Matching.Polling;

/// <summary>
/// A worker's poll on this process's queues: waits for a task, has history record it as started, and puts it back
/// when that fails. A stale task (its run moved on) is dropped by history, and the poll goes on within the same
/// deadline; null when the deadline passed, which is answered as an empty poll (§0.1).
/// </summary>
public sealed class TaskPoller(MatchingEngine matching, ITaskStarter starter, TimeProvider time)
{
    public Task<PollWorkflowTaskQueueResponse?> PollWorkflowTaskAsync(NamespaceRecord ns, TaskQueueKey queue, Poller poller,
        PollWorkflowTaskQueueRequest request, DateTimeOffset deadline, CancellationToken ct) =>
        PollAsync(queue, poller, deadline, task => starter.RecordWorkflowTaskStartedAsync(ns, task, request, ct), ct, maxTasksPerSecond: null);

    public Task<PollActivityTaskQueueResponse?> PollActivityTaskAsync(NamespaceRecord ns, TaskQueueKey queue, Poller poller,
        PollActivityTaskQueueRequest request, DateTimeOffset deadline, CancellationToken ct) =>
        PollAsync(queue, poller, deadline, task => starter.RecordActivityTaskStartedAsync(ns, task, request, ct), ct,
            request.TaskQueueMetadata?.MaxTasksPerSecond);

    private async Task<TResponse?> PollAsync<TResponse>(TaskQueueKey queue, Poller poller, DateTimeOffset deadline,
        Func<MatchingTask, Task<TResponse?>> recordStarted, CancellationToken ct, double? maxTasksPerSecond)
        where TResponse : class
    {
        while (await NextTaskAsync(queue, poller, deadline, ct, maxTasksPerSecond) is { } task)
        {
            try
            {
                if (await StartOrRequeueAsync(task, () => recordStarted(task)) is { } response)
                {
                    return response;
                }
            }
            catch (TaskMisroutedException e)
            {
                await RerouteAsync(task, e.PinnedTo, ct);
            }
        }
        return null;
    }

    /// <summary>
    /// A task this poller's version may not run (its run is pinned elsewhere) goes to its version's pollers; one on a
    /// sticky queue leaves that worker's queue for the run's normal queue. The poll goes on.
    /// </summary>
    private async Task RerouteAsync(MatchingTask task, DeploymentVersion pinnedTo, CancellationToken ct)
    {
        if (task.Sticky)
        {
            await starter.RedispatchFromStickyQueueAsync(task, ct);
            return;
        }
        matching.Restore(task with { PinnedTo = pinnedTo });
    }

    /// <summary>
    /// Records a matched task as started. If that fails for a reason other than the task being stale (the database is
    /// down, the poller left mid-write), the task goes back to its queue: it is durable, and dropping it from memory
    /// would strand it until a restart. A retry of a start that did commit is found stale and dropped. A task whose
    /// shard moved to another process is dropped too: that process loaded it with the shard.
    /// </summary>
    private async Task<T?> StartOrRequeueAsync<T>(MatchingTask task, Func<Task<T?>> recordStarted)
        where T : class
    {
        try
        {
            return await recordStarted();
        }
        catch (Exception e) when (e is not EntityNotFoundException and not ShardOwnershipLostException and not TaskMisroutedException
            && task.Query is null)
        {
            matching.Restore(task);
            throw;
        }
    }

    /// <summary>The next task before the deadline, or null: an empty poll is a successful empty response (§0.1).</summary>
    private async Task<MatchingTask?> NextTaskAsync(TaskQueueKey queue, Poller poller, DateTimeOffset deadline, CancellationToken ct,
        double? maxTasksPerSecond)
    {
        var remaining = deadline - time.GetUtcNow();
        if (remaining <= TimeSpan.Zero)
        {
            return null;
        }
        try
        {
            return await matching.PollAsync(queue, poller, remaining, ct, maxTasksPerSecond);
        }
        catch (OperationCanceledException)
        {
            return null; // the worker went away, or another process answered the poll; nothing was handed out
        }
    }
}
