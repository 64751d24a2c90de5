namespace Tempora.Visibility.Retention;

/// <summary>The namespaces retention scans, with how long each keeps its closed runs.</summary>
public interface INamespaceRetentions
{
    Task<IReadOnlyList<NamespaceRetention>> ListAsync(CancellationToken ct);
}
