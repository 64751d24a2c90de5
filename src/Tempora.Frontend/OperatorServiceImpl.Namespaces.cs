using Grpc.Core;
using Tempora.Core.Errors;
using Tempora.Worker.Namespaces;
using Temporalio.Api.OperatorService.V1;

namespace Tempora.Frontend;

/// <summary>DeleteNamespace, as Temporal 1.28's operator handler and delete-namespace workflow.</summary>
internal partial class OperatorServiceImpl
{
    /// <summary>Temporal's system namespace, which it refuses to delete; the name is refused here too.</summary>
    private const string SystemNamespace = "temporal-system";

    /// <summary>
    /// Marks the namespace Deleted and renames it (<c>&lt;name&gt;-deleted-&lt;first 5 of its id&gt;</c>) in one write and
    /// answers the new name; the old name can be registered again at once. The rows of the namespace are then purged
    /// in the background by the worker role (<see cref="NamespaceDeleter"/>), and the namespace's own row goes after
    /// <c>namespace_delete_delay</c> (at least <see cref="NamespaceDeleter.SettleTime"/>). Deleting a namespace
    /// already deleted answers its name again and sets its delay anew, as Temporal's workflow started again does.
    /// </summary>
    public virtual async Task<DeleteNamespaceResponse> DeleteNamespace(DeleteNamespaceRequest request, ServerCallContext context)
    {
        var hasName = !string.IsNullOrEmpty(request.Namespace);
        var hasId = !string.IsNullOrEmpty(request.NamespaceId);
        if (!hasName && !hasId)
        {
            throw new InvalidArgumentException("Namespace not set on request.");
        }
        if (hasName && hasId)
        {
            throw new InvalidArgumentException("Only one of namespace name or Id should be set on request.");
        }
        var ns = hasId
            ? await namespaces.GetByIdAsync(request.NamespaceId, context.CancellationToken)
            : await namespaces.GetByNameAsync(request.Namespace, context.CancellationToken);
        if (ns.Name == SystemNamespace)
        {
            throw new FailedPreconditionException("unable to delete system namespace");
        }
        // As Temporal with frontend.allowDeleteNamespaceIfNexusEndpointTarget off (its default): an endpoint would be
        // left routing to a namespace that is going away.
        if (await endpoints.FindTargetingAsync(ns.Id, context.CancellationToken) is { } endpoint)
        {
            throw new FailedPreconditionException($"cannot delete a namespace that is a target of a Nexus endpoint {endpoint.Name}");
        }
        var delay = request.NamespaceDeleteDelay?.ToTimeSpan() ?? TimeSpan.Zero;
        if (delay < NamespaceDeleter.SettleTime)
        {
            delay = NamespaceDeleter.SettleTime;
        }
        var deleted = await namespaces.MarkDeletedAsync(ns, time.GetUtcNow() + delay, context.CancellationToken);
        // This process stops at once; the others when their deleter next looks (every NamespaceDeleter.ScanInterval).
        history.DropNamespace(deleted.Id);
        deleter.Wake();
        return new DeleteNamespaceResponse { DeletedNamespace = deleted.Name };
    }
}
