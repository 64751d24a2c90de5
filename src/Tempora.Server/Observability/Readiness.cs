using Tempora.Persistence;

namespace Tempora.Server.Observability;

/// <summary>
/// What /health/ready answers: the server finished starting (schema checked or migrated, shards owned, durable tasks
/// loaded or, on a cluster, joined), and the database answers a cheap read now.
/// </summary>
public sealed class Readiness(INamespaceStore namespaces)
{
    private static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(2);

    private volatile bool _started;

    /// <summary>The visibility outbox (PostgreSQL), reported as a detail of the health endpoints; null on SQLite.</summary>
    public IVisibilityOutbox? Outbox { get; set; }

    /// <summary>
    /// The outbox's state for /health/ready. It never makes the process not ready: a parked row is a data problem no
    /// restart fixes, and taking every replica out of service would turn one bad row into an outage; an outbox that
    /// cannot be applied because a database is unreachable shows as failing here (the database check above it decides).
    /// </summary>
    public OutboxHealth? OutboxDetail() => Outbox is { } outbox ? new OutboxHealth(outbox.Parked, outbox.Failing) : null;

    /// <summary>Marks the end of the start sequence.</summary>
    public void MarkStarted() => _started = true;

    /// <summary>Null when ready, else a short reason.</summary>
    public async Task<string?> CheckAsync(CancellationToken ct)
    {
        if (!_started)
        {
            return "starting";
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(PingTimeout);
        try
        {
            // The namespace table is small and always present: a round trip that proves the connection and schema.
            await namespaces.ListAsync(timeout.Token);
            return null;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return "database did not answer within 2 s";
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return $"database unreachable: {e.GetType().Name}";
        }
    }
}
