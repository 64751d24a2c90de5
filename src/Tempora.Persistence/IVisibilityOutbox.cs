namespace Tempora.Persistence;

/// <summary>
/// The state of a visibility outbox (PostgreSQL: transitions enqueue visibility rows that a processor applies to the
/// visibility database after the commit; SQLite writes them in the transition's own transaction and has none).
/// </summary>
public interface IVisibilityOutbox
{
    /// <summary>Rows set aside in the dead-letter queue because the visibility database refused their data (all replicas').</summary>
    long Parked { get; }

    /// <summary>Why the last attempt to apply the outbox failed (a database unreachable), or null once one succeeds.</summary>
    string? Failing { get; }
}
