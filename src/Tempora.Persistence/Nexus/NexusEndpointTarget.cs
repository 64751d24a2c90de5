namespace Tempora.Persistence.Nexus;

/// <summary>
/// Where a Nexus endpoint routes requests: a worker target (a namespace, by id, and a task queue) or an external
/// target (a URL); exactly one of the two. The namespace is kept by id, as Temporal keeps it, so that a namespace's
/// rename (its deletion) does not leave the endpoint naming a name that is free for someone else.
/// </summary>
public sealed record NexusEndpointTarget
{
    private NexusEndpointTarget(string? namespaceId, string? taskQueue, string? url)
    {
        NamespaceId = namespaceId;
        TaskQueue = taskQueue;
        Url = url;
    }

    /// <summary>The target namespace's id; null for an external target.</summary>
    public string? NamespaceId { get; }

    /// <summary>The target task queue; null for an external target.</summary>
    public string? TaskQueue { get; }

    /// <summary>The external target's URL; null for a worker target.</summary>
    public string? Url { get; }

    public bool IsWorker => NamespaceId is not null;

    public static NexusEndpointTarget Worker(string namespaceId, string taskQueue) =>
        new(namespaceId ?? throw new ArgumentNullException(nameof(namespaceId)), taskQueue ?? throw new ArgumentNullException(nameof(taskQueue)), null);

    public static NexusEndpointTarget External(string url) => new(null, null, url ?? throw new ArgumentNullException(nameof(url)));

    /// <summary>The target as the store's three columns hold it (a row violating the rule above is corrupt).</summary>
    public static NexusEndpointTarget FromColumns(string? namespaceId, string? taskQueue, string? url) => (namespaceId, taskQueue, url) switch
    {
        ({ } ns, { } tq, null) => Worker(ns, tq),
        (null, null, { } u) => External(u),
        _ => throw new CorruptDataException("A Nexus endpoint row has neither a worker target nor an external one."),
    };
}
