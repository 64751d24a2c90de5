using Tempora.Persistence;
using Tempora.Visibility.Retention;

namespace Tempora.Server.Observability;

/// <summary>
/// What /health/ready answers. Ready means the server can do its work now: it finished starting (schema checked or
/// migrated, shards owned, durable tasks loaded or, on a cluster, joined), the database takes a write (a real,
/// durable write that changes nothing: a read alone passes on a read-only file or a full disk), and the GC heap is
/// not at its limit. Problems that taking the process out of traffic would not help (a namespace whose retention
/// scan fails) do not make it unready; they are listed as warnings.
/// </summary>
public sealed class Readiness(IPersistence persistence)
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Share of the memory available to the process (container limit or GC hard limit) at which the GC heap
    /// counts as exhausted.</summary>
    public const double HeapLimitShare = 0.9;

    private volatile bool _started;
    private RetentionJob? _retention;
    private IVisibilityOutbox? _outbox;

    /// <summary>
    /// The outbox's state for /health/ready. It never makes the process not ready: a parked row is a data problem no
    /// restart fixes, and taking every replica out of service would turn one bad row into an outage; an outbox that
    /// cannot be applied because a database is unreachable shows as failing here (the database check above it decides).
    /// </summary>
    internal OutboxHealth? OutboxDetail() => _outbox is { } outbox ? new OutboxHealth(outbox.Parked, outbox.Failing) : null;


    /// <summary>Marks the end of the start sequence; from then on the retention job's health is reported, and the
    /// visibility outbox's (PostgreSQL; null on SQLite, which has none).</summary>
    public void MarkStarted(RetentionJob retention, IVisibilityOutbox? outbox)
    {
        _retention = retention;
        _outbox = outbox;
        _started = true;
    }

    /// <summary>Null reason when ready, else a short reason; warnings either way.</summary>
    public async Task<(string? Reason, IReadOnlyList<string> Warnings)> CheckAsync(CancellationToken ct)
    {
        if (!_started)
        {
            return ("starting", []);
        }
        var warnings = Warnings();
        if (MemoryExhausted(GC.GetGCMemoryInfo()) is { } memory)
        {
            return (memory, warnings);
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            await persistence.ProbeWriteAsync(timeout.Token);
            return (null, warnings);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return ($"database did not take a write within {ProbeTimeout.TotalSeconds:0} s", warnings);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return ($"database cannot take writes: {e.GetType().Name}: {e.Message}", warnings);
        }
    }

    /// <summary>The heap after the last GC against what the process may use; null when there is room.</summary>
    internal static string? MemoryExhausted(GCMemoryInfo info)
    {
        var available = info.TotalAvailableMemoryBytes;
        return available > 0 && info.HeapSizeBytes >= available * HeapLimitShare
            ? $"memory exhausted: GC heap {info.HeapSizeBytes / (1024 * 1024)} MiB of {available / (1024 * 1024)} MiB available"
            : null;
    }

    private List<string> Warnings() =>
        _retention?.FailingNamespaces.Select(f => $"retention scan of namespace {f.Key} fails: {f.Value}").ToList() ?? [];
}
