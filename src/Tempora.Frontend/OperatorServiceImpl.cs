using Grpc.Core;
using Tempora.Core;
using Tempora.Core.Errors;
using Tempora.History;
using Tempora.Visibility;
using Tempora.Worker.Namespaces;
using Tempora.Visibility.Query;
using Temporalio.Api.OperatorService.V1;
using static Tempora.Frontend.IndexedValueTypes;

namespace Tempora.Frontend;

/// <summary>
/// OperatorService: custom search attributes per namespace, namespace deletion (OperatorServiceImpl.Namespaces.cs),
/// the cluster list (OperatorServiceImpl.Clusters.cs) and the Nexus endpoint registry (OperatorServiceImpl.Nexus.cs).
/// The rest (remote clusters) answers Unimplemented through <see cref="ServiceBinder{TService}"/>. Every handler is
/// public virtual: the HTTP API's JSON transcoding binds virtual handlers only.
/// </summary>
[BindServiceMethod(typeof(Http.OperatorServiceHttpBinding), nameof(Http.OperatorServiceHttpBinding.BindService))]
internal partial class OperatorServiceImpl(NamespaceRegistry namespaces, IShardOwnership shards, HistoryEngine history,
    NamespaceDeleter deleter, Persistence.Nexus.INexusEndpointStore endpoints, TimeProvider time)
{
    public virtual async Task<AddSearchAttributesResponse> AddSearchAttributes(AddSearchAttributesRequest request, ServerCallContext context)
    {
        var ns = await NamespaceOf(request.Namespace, context);
        if (request.SearchAttributes.Count == 0)
        {
            throw new InvalidArgumentException("SearchAttributes are not set on request.");
        }
        var custom = new Dictionary<string, SearchAttributeType>(ns.CustomSearchAttributes, StringComparer.Ordinal);
        foreach (var (name, indexed) in request.SearchAttributes)
        {
            var type = FromIndexed(indexed);
            if (string.IsNullOrWhiteSpace(name) || name.Length > 255 || name.Any(c => char.IsControl(c) || c is '"' or '`' or '\'' or '\\'))
            {
                throw new InvalidArgumentException($"Search attribute name {name} is not valid: use letters, digits, '_', '-' or '.'.");
            }
            if (ListFilter.SystemAttributes.ContainsKey(name) || name.StartsWith("Temporal", StringComparison.Ordinal)
                || name is "NamespaceId" or "Memo" or "MemoEncoding" or "VisibilityTaskKey")
            {
                throw new InvalidArgumentException($"Search attribute {name} is reserved by system.");
            }
            if (custom.TryGetValue(name, out var existing) && existing != type)
            {
                throw new InvalidArgumentException($"Search attribute {name} already exists with type {existing}.");
            }
            custom[name] = type; // the same name and type again is a no-op, as upstream
        }
        await namespaces.UpdateAsync(ns with { CustomSearchAttributes = custom }, context.CancellationToken);
        return new AddSearchAttributesResponse();
    }

    public virtual async Task<RemoveSearchAttributesResponse> RemoveSearchAttributes(RemoveSearchAttributesRequest request, ServerCallContext context)
    {
        var ns = await NamespaceOf(request.Namespace, context);
        if (request.SearchAttributes.Count == 0)
        {
            throw new InvalidArgumentException("SearchAttributes are not set on request.");
        }
        var custom = new Dictionary<string, SearchAttributeType>(ns.CustomSearchAttributes, StringComparer.Ordinal);
        foreach (var name in request.SearchAttributes)
        {
            if (!custom.Remove(name))
            {
                throw new EntityNotFoundException($"Search attribute {name} doesn't exist.");
            }
        }
        await namespaces.UpdateAsync(ns with { CustomSearchAttributes = custom }, context.CancellationToken);
        return new RemoveSearchAttributesResponse();
    }

    public virtual async Task<ListSearchAttributesResponse> ListSearchAttributes(ListSearchAttributesRequest request, ServerCallContext context)
    {
        var ns = await NamespaceOf(request.Namespace, context);
        var response = new ListSearchAttributesResponse();
        foreach (var (name, type) in ListFilter.SystemAttributes)
        {
            response.SystemAttributes[name] = ToIndexed(type);
        }
        foreach (var (name, type) in ns.CustomSearchAttributes)
        {
            response.CustomAttributes[name] = ToIndexed(type);
            response.StorageSchema[name] = type == SearchAttributeType.KeywordList ? "jsonb" : "json";
        }
        return response;
    }

    private async Task<Persistence.NamespaceRecord> NamespaceOf(string name, ServerCallContext context)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw new InvalidArgumentException("Namespace is not set on request.");
        }
        return NamespaceStates.Check(await namespaces.GetByNameAsync(name, context.CancellationToken), context.Method);
    }
}
