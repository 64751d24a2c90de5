namespace Tempora.Persistence;

/// <summary>Namespace registry.</summary>
public interface INamespaceStore
{
    /// <summary>Inserts a namespace; throws NamespaceAlreadyExistsException when the name is taken.</summary>
    Task CreateAsync(NamespaceRecord ns, CancellationToken ct);

    /// <summary>Writes the namespace's row (its name too: a deletion renames it); throws NamespaceAlreadyExistsException
    /// when the new name is taken.</summary>
    Task UpdateAsync(NamespaceRecord ns, CancellationToken ct);

    Task<NamespaceRecord?> GetByNameAsync(string name, CancellationToken ct);

    Task<NamespaceRecord?> GetByIdAsync(string id, CancellationToken ct);

    Task<IReadOnlyList<NamespaceRecord>> ListAsync(CancellationToken ct);

    /// <summary>
    /// Deletes every row the namespace owns except its own: executions, current runs, history, timer, transfer and
    /// matching tasks, schedules, visibility rows (and the visibility outbox). Rows go in batches of
    /// <paramref name="batchSize"/>, each batch its own transaction, so that a huge namespace holds no giant
    /// transaction and a purge cut short resumes where it stopped. Returns the number of rows deleted.
    /// </summary>
    Task<long> PurgeAsync(string namespaceId, int batchSize, CancellationToken ct);

    /// <summary>Deletes the namespace's own row (its custom search attributes with it); nothing when it is gone.</summary>
    Task DeleteAsync(string namespaceId, CancellationToken ct);
}
