using Microsoft.Extensions.Logging;
using Tempora.Core.Metrics;

namespace Tempora.Persistence;

/// <summary>
/// A visibility outbox and its state (PostgreSQL: transitions enqueue visibility rows that a processor applies to the
/// visibility database after the commit; SQLite writes them in the transition's own transaction and has none).
/// </summary>
public interface IVisibilityOutbox
{
    /// <summary>Rows set aside in the dead-letter queue because the visibility database refused their data (all replicas').</summary>
    long Parked { get; }

    /// <summary>Why the last attempt to apply the outbox failed (a database unreachable), or null once one succeeds.</summary>
    string? Failing { get; }

    /// <summary>
    /// Starts applying the outbox in the background (every process applies the rows it finds, idempotently), reporting
    /// failures and set-aside rows to <paramref name="logger"/> and <paramref name="metrics"/>. Starting twice does nothing.
    /// </summary>
    void Start(ILogger logger, IMetrics metrics);
}
