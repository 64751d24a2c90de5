namespace Tempora.Persistence;

/// <summary>An opened store: the contract's parts over one database (or two: main and visibility).</summary>
public interface IPersistence : IAsyncDisposable
{
    IExecutionStore Executions { get; }

    INamespaceStore Namespaces { get; }

    IVisibilityStore Visibility { get; }

    /// <summary>Where the data lives, for logs (no secrets).</summary>
    string Description { get; }
}
