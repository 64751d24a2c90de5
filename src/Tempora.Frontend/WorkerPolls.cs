namespace Tempora.Frontend;

/// <summary>
/// Outstanding polls by the worker_instance_key they carry, so that ShutdownWorker can answer them at once, empty, as
/// Temporal's matching CancelOutstandingWorkerPolls does: no task is handed to a poll its worker has abandoned. A
/// worker that shut down is remembered for a while, so a poll of it that arrives late is answered empty too (upstream's
/// shutdownWorkers cache: 30 s). The namespace does not advertise worker_poll_complete_on_shutdown (see
/// WorkflowServiceImpl.Describe), so Core still calls its own polls off as well.
/// </summary>
internal sealed class WorkerPolls(TimeProvider time)
{
    private static readonly TimeSpan RememberShutdownFor = TimeSpan.FromSeconds(30);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, HashSet<CancellationTokenSource>> _polls = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _shutDown = new(StringComparer.Ordinal);

    /// <summary>
    /// A token for one poll of <paramref name="workerInstanceKey"/>, cancelled with <paramref name="ct"/> or when the
    /// worker shuts down; null when that worker has shut down already (answer empty). Dispose it when the poll ends.
    /// </summary>
    public Lease? Track(string workerInstanceKey, CancellationToken ct)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (string.IsNullOrEmpty(workerInstanceKey))
        {
            return new Lease(this, "", cts);
        }
        lock (_lock)
        {
            if (_shutDown.TryGetValue(workerInstanceKey, out var at) && time.GetUtcNow() - at < RememberShutdownFor)
            {
                cts.Dispose();
                return null;
            }
            if (!_polls.TryGetValue(workerInstanceKey, out var polls))
            {
                _polls[workerInstanceKey] = polls = [];
            }
            polls.Add(cts);
        }
        return new Lease(this, workerInstanceKey, cts);
    }

    /// <summary>Ends the worker's outstanding polls and refuses its later ones for a while; returns how many ended.</summary>
    public int ShutDown(string workerInstanceKey)
    {
        if (string.IsNullOrEmpty(workerInstanceKey))
        {
            return 0;
        }
        List<CancellationTokenSource> ending;
        lock (_lock)
        {
            var now = time.GetUtcNow();
            foreach (var (key, at) in _shutDown.ToList())
            {
                if (now - at >= RememberShutdownFor)
                {
                    _shutDown.Remove(key);
                }
            }
            _shutDown[workerInstanceKey] = now;
            ending = _polls.Remove(workerInstanceKey, out var polls) ? [.. polls] : [];
        }
        foreach (var cts in ending)
        {
            try
            {
                cts.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // that poll ended on its own meanwhile
            }
        }
        return ending.Count;
    }

    private void Release(string workerInstanceKey, CancellationTokenSource cts)
    {
        if (workerInstanceKey.Length > 0)
        {
            lock (_lock)
            {
                if (_polls.TryGetValue(workerInstanceKey, out var polls) && polls.Remove(cts) && polls.Count == 0)
                {
                    _polls.Remove(workerInstanceKey);
                }
            }
        }
        cts.Dispose();
    }

    /// <summary>One tracked poll.</summary>
    internal sealed class Lease(WorkerPolls owner, string workerInstanceKey, CancellationTokenSource cts) : IDisposable
    {
        public CancellationToken Token { get; } = cts.Token;

        public void Dispose() => owner.Release(workerInstanceKey, cts);
    }
}
