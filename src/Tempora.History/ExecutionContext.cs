using Tempora.History.Execution;

namespace Tempora.History;

/// <summary>
/// The cached, lock-guarded in-memory copy of one run. The database is the source of truth: the cached state is
/// dropped whenever a transition fails, and reloaded on next use.
/// </summary>
internal sealed class ExecutionContext
{
    public SemaphoreSlim Lock { get; } = new(1, 1);
    public MutableState? State { get; set; }
    public long DbVersion { get; set; }

    /// <summary>Completed (and replaced) after every commit, so long polls on history can wait for news.</summary>
    public TaskCompletionSource Changed { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void NotifyChanged()
    {
        var previous = Changed;
        Changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        previous.TrySetResult();
    }
}
