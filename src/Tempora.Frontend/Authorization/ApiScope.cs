namespace Tempora.Frontend.Authorization;

/// <summary>What an API acts on (Temporal's common/api/metadata.go).</summary>
public enum ApiScope
{
    Unknown,
    /// <summary>One namespace, named in the request's <c>namespace</c> field.</summary>
    Namespace,
    /// <summary>The whole cluster.</summary>
    Cluster,
}
