namespace Tempora.Persistence;

/// <summary>Namespace registry.</summary>
public interface INamespaceStore
{
    /// <summary>Inserts a namespace; throws NamespaceAlreadyExistsException when the name is taken.</summary>
    Task CreateAsync(NamespaceRecord ns, CancellationToken ct);

    Task UpdateAsync(NamespaceRecord ns, CancellationToken ct);

    Task<NamespaceRecord?> GetByNameAsync(string name, CancellationToken ct);

    Task<NamespaceRecord?> GetByIdAsync(string id, CancellationToken ct);

    Task<IReadOnlyList<NamespaceRecord>> ListAsync(CancellationToken ct);
}
