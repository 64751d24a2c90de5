using Google.Protobuf.WellKnownTypes;
using Tempora.Visibility.Retention;

namespace Tempora.History.Visibility;

/// <summary>The namespaces of the registry with their retention (the default one when a namespace has none stored).</summary>
public sealed class RegistryNamespaceRetentions(NamespaceRegistry namespaces) : INamespaceRetentions
{
    public async Task<IReadOnlyList<NamespaceRetention>> ListAsync(CancellationToken ct) =>
        (await namespaces.ListAsync(ct))
            .Select(ns => new NamespaceRetention(ns.Id, ns.Name,
                ns.Config.WorkflowExecutionRetentionTtl ?? Duration.FromTimeSpan(NamespaceRegistry.DefaultRetention)))
            .ToList();
}
