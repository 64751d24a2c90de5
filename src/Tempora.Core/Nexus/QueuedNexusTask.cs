namespace Tempora.Core.Nexus;

/// <summary>
/// One dispatch of a <see cref="NexusTask"/> waiting in matching: its id (the task token's, by which the worker's
/// answer finds it), its deadline, and where the answer goes. Exactly one side claims it (<see cref="TryClaim"/>): a
/// poller that hands it to a worker, or the dispatch withdrawing it at its timeout, so that a task that timed out is
/// never handed out afterwards.
/// </summary>
public sealed class QueuedNexusTask(string id, NexusTask task, DateTimeOffset deadline)
{
    private int _claimed;

    public string Id { get; } = id;
    public NexusTask Task { get; } = task;

    /// <summary>When the dispatch stops waiting; the worker is told the time left (its request-timeout header).</summary>
    public DateTimeOffset Deadline { get; } = deadline;

    public TaskCompletionSource<NexusTaskOutcome> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool TryClaim() => Interlocked.Exchange(ref _claimed, 1) == 0;
}
