namespace Tempora.Core;

/// <summary>How history hands committed tasks to matching (in memory within one process).</summary>
public interface ITaskDispatcher
{
    /// <summary>Offers a task to a waiting poller, or queues it. Called only after the task's transaction committed.</summary>
    void Dispatch(MatchingTask task);

    /// <summary>
    /// Offers a task read back from its row (a restart, a shard taken over): as <see cref="Dispatch"/>, but not counted
    /// again among the tasks added to the queue.
    /// </summary>
    void Restore(MatchingTask task) => Dispatch(task);

    /// <summary>True when some worker polled this queue recently; sticky queues without one are bypassed.</summary>
    bool HasRecentPoller(TaskQueueKey queue, TimeSpan within);

    /// <summary>Takes back the queued tasks that match (their shard moved to another process).</summary>
    void Withdraw(Predicate<MatchingTask> match);
}
