using Tempora.History.Execution;

namespace Tempora.History;

/// <summary>
/// The cached, lock-guarded in-memory copy of one run. The database is the source of truth: the cached state is
/// dropped whenever a transition fails, and reloaded on next use.
/// </summary>
internal sealed class ExecutionContext(RunCacheBudget? budget = null)
{
    public SemaphoreSlim Lock { get; } = new(1, 1);
    private MutableState? _state;
    private readonly System.Threading.Lock _sizeLock = new();
    private bool _detached;

    /// <summary>The run's state as committed; null when unknown (reload from the store). Clearing it clears <see cref="History"/>.</summary>
    public MutableState? State
    {
        get => _state;
        set
        {
            _state = value;
            if (value is null)
            {
                History = null;
                Rebuilt = null;
                Resize(0);
            }
        }
    }

    /// <summary>The estimated bytes this run holds in the cache (<see cref="RunCacheBudget"/>).</summary>
    public long CachedBytes { get; private set; }

    /// <summary>When the run was last used, on <see cref="RunCacheBudget.Tick"/>'s clock: the oldest are trimmed first.</summary>
    public long LastUsed { get; set; }

    /// <summary>Records the estimated bytes the run now holds; a context no longer in the cache counts nothing.</summary>
    public void Resize(long bytes)
    {
        lock (_sizeLock)
        {
            if (_detached || budget is null)
            {
                return;
            }
            budget.Add(bytes - CachedBytes);
            CachedBytes = bytes;
        }
    }

    /// <summary>The context left the cache: what it holds no longer counts against the budget.</summary>
    public void Detach()
    {
        lock (_sizeLock)
        {
            if (!_detached)
            {
                _detached = true;
                budget?.Add(-CachedBytes);
                CachedBytes = 0;
            }
        }
    }

    /// <summary>
    /// True when the state may be dropped from memory and reloaded later without losing anything: what lives only in
    /// memory (admitted updates, buffered queries, a speculative workflow task) is absent. Call under the lock.
    /// </summary>
    public bool HoldsNothingVolatile =>
        Updates.Count == 0 && Queries.Count == 0 && _state?.WorkflowTask is not { Speculative: true };

    /// <summary>
    /// Every event of the run as committed (index i holds event i + 1) while its history is short; null when not
    /// known here (read the store). Replaced, never changed, so readers outside the lock see a consistent copy.
    /// </summary>
    public Temporalio.Api.History.V1.HistoryEvent[]? History
    {
        get => _history;
        set
        {
            _history = value;
            if (value is null)
            {
                // The measured array must not outlive the history it measured: it would keep a trimmed run's events
                // (and their payloads) alive outside the cache's budget.
                MeasuredHistory = null;
            }
        }
    }

    private Temporalio.Api.History.V1.HistoryEvent[]? _history;

    /// <summary>The <see cref="History"/> array <see cref="Tempora.History.Updates.RunCache.Measure"/> last measured, and its size in bytes.</summary>
    public (Temporalio.Api.History.V1.HistoryEvent[] Events, long Bytes)? MeasuredHistory { get; set; }
    public long DbVersion { get; set; }

    /// <summary>
    /// With <see cref="HistoryOptions.VerifyRebuild"/>: the state rebuilt from the run's written history alone (no
    /// buffered events), as of the last commit; null until first needed (then read from the store).
    /// </summary>
    public Execution.MutableState? Rebuilt { get; set; }

    /// <summary>What the visibility row shows as last written by this process (null: unknown, write it next time).</summary>
    public Visibility.VisibleState? Visible { get; set; }

    /// <summary>Completed (and replaced) after every commit, so long polls on history can wait for news.</summary>
    public TaskCompletionSource Changed => Volatile.Read(ref _changed);

    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Updates admitted but not yet accepted, and rejections not yet collected. Like upstream, admitted updates live
    /// only in memory; once accepted they are in history and in <see cref="MutableState.Updates"/>.
    /// </summary>
    public Dictionary<string, AdmittedUpdate> Updates { get; } = new(StringComparer.Ordinal);

    /// <summary>Queries waiting for a workflow task to carry them, by query id (see <see cref="BufferedQuery"/>).</summary>
    public Dictionary<string, BufferedQuery> Queries { get; } = new(StringComparer.Ordinal);

    private int _closedCached;

    /// <summary>True the first time only: the run, now closed, is queued for eviction from the cache once.</summary>
    public bool MarkClosedCached() => Interlocked.Exchange(ref _closedCached, 1) == 0;

    /// <remarks>May run outside the lock (after a commit released it): the exchange completes each source exactly once.</remarks>
    public void NotifyChanged() =>
        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}

/// <summary>An update request waiting to be accepted or rejected by the workflow.</summary>
internal sealed class AdmittedUpdate(Temporalio.Api.Update.V1.Request request)
{
    public Temporalio.Api.Update.V1.Request Request { get; } = request;

    /// <summary>The run closed before the workflow answered: callers get "workflow execution already completed".</summary>
    public bool Aborted { get; set; }

    /// <summary>
    /// The run closed into a new one (continue-as-new, retry, cron) before the workflow saw the update: callers get
    /// upstream's retryable "workflow is closing" error, so their retry lands on the new run.
    /// </summary>
    public bool RunContinued { get; set; }

    /// <summary>Set when the workflow rejected it (no event is written for a rejection).</summary>
    public Temporalio.Api.Update.V1.Outcome? Rejection { get; set; }
}
