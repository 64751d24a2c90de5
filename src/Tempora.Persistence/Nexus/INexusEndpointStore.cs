namespace Tempora.Persistence.Nexus;

/// <summary>
/// The Nexus endpoint registry: one row per endpoint, cluster-wide (not per namespace). Every call goes to the
/// database, so each replica on the same database sees another's write at once. Writes are conditional on the
/// version the caller read, checked by the database in the write itself.
/// </summary>
public interface INexusEndpointStore
{
    /// <summary>Inserts a new endpoint (its Version 1); throws <see cref="NexusEndpointNameTakenException"/> when its
    /// name is taken.</summary>
    Task CreateAsync(NexusEndpointRecord endpoint, CancellationToken ct);

    /// <summary>
    /// Replaces the name, target, description and last-modified time of the endpoint of <paramref name="endpoint"/>'s
    /// id if it is still at <paramref name="expectedVersion"/> (the record's Version must be the next one), and answers
    /// the endpoint as stored (its created time kept). Throws <see cref="NexusEndpointConditionFailedException"/> when
    /// it is at another version or gone, <see cref="NexusEndpointNameTakenException"/> when the new name is another's.
    /// </summary>
    Task<NexusEndpointRecord> UpdateAsync(NexusEndpointRecord endpoint, long expectedVersion, CancellationToken ct);

    /// <summary>Deletes the endpoint if it is still at <paramref name="expectedVersion"/>; throws
    /// <see cref="NexusEndpointConditionFailedException"/> when it is at another version or gone.</summary>
    Task DeleteAsync(string id, long expectedVersion, CancellationToken ct);

    Task<NexusEndpointRecord?> GetAsync(string id, CancellationToken ct);

    Task<NexusEndpointRecord?> GetByNameAsync(string name, CancellationToken ct);

    /// <summary>Up to <paramref name="limit"/> endpoints in ordinal id order, after <paramref name="afterId"/> when given.</summary>
    Task<IReadOnlyList<NexusEndpointRecord>> ListAsync(string? afterId, int limit, CancellationToken ct);

    /// <summary>One endpoint whose worker target is the namespace (the first by name), or null: a namespace that is a
    /// target may not be deleted.</summary>
    Task<NexusEndpointRecord?> FindTargetingAsync(string namespaceId, CancellationToken ct);
}
