using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Tempora.Core.Errors;
using Tempora.Frontend.Validation;
using Tempora.Persistence.Nexus;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Nexus.V1;
using Temporalio.Api.OperatorService.V1;

namespace Tempora.Frontend;

/// <summary>
/// The Nexus endpoint registry (issue 25, item 1), as Temporal 1.28's NexusEndpointClient (frontend) and its matching
/// owner: create, get, update and delete by id, each write conditional on the version the caller read, and list in id
/// order with an optional exact-name filter. Endpoints are cluster-wide; a worker target's namespace is stored by id and
/// shown by its current name.
///
/// Every call reads or writes the database; nothing is cached here. Temporal caches the table in the matching
/// service that owns it and reads Get/List straight from persistence to see its own writes; Tempora's replicas are
/// peers on one database, so a cache on each would need a check against the database on every read to never serve a
/// copy older than another replica's write, and these are rare operator calls. So a write through one replica is seen
/// by the next Get or List on any other. Nothing dispatches to an endpoint yet (the rest of issue 25).
/// </summary>
internal partial class OperatorServiceImpl
{
    public virtual async Task<CreateNexusEndpointResponse> CreateNexusEndpoint(CreateNexusEndpointRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var spec = await NexusEndpointValidation.ValidateSpecAsync(request.Spec, namespaces, ct);
        var endpoint = new NexusEndpointRecord(Guid.NewGuid().ToString(), 1, spec.Name, spec.Target, spec.Description, NowToTheMillisecond(), null);
        try
        {
            await endpoints.CreateAsync(endpoint, ct);
        }
        catch (NexusEndpointNameTakenException)
        {
            throw new AlreadyExistsException($"error creating Nexus endpoint. Endpoint with name {spec.Name} already registered");
        }
        return new CreateNexusEndpointResponse { Endpoint = await ToApiAsync(endpoint, "internal error", ct) };
    }

    /// <summary>
    /// Replaces the spec of the endpoint at the version given. Unlike Temporal 1.28, a rename onto another endpoint's
    /// name is refused (AlreadyExists): the API says names are unique, and 1.28's check covers creates only. The
    /// created time is kept (1.28's update writes the endpoint without it, so it reads back unset).
    /// </summary>
    public virtual async Task<UpdateNexusEndpointResponse> UpdateNexusEndpoint(UpdateNexusEndpointRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var spec = await NexusEndpointValidation.ValidateSpecAsync(request.Spec, namespaces, ct);
        // Temporal does not check the id here: one that names no endpoint, a malformed one too, is NotFound.
        var id = NexusEndpointValidation.TryCanonicalId(request.Id, out var canonical, out _) ? canonical : request.Id;
        var changed = new NexusEndpointRecord(id, request.Version + 1, spec.Name, spec.Target, spec.Description,
            DateTimeOffset.UnixEpoch, NowToTheMillisecond());
        NexusEndpointRecord stored;
        try
        {
            stored = await endpoints.UpdateAsync(changed, request.Version, ct);
        }
        catch (NexusEndpointConditionFailedException e)
        {
            throw e.CurrentVersion is { } current
                ? VersionMismatch(request.Version, current)
                : new EntityNotFoundException($"error updating Nexus endpoint. endpoint ID {request.Id} not found");
        }
        catch (NexusEndpointNameTakenException)
        {
            throw new AlreadyExistsException($"error updating Nexus endpoint. Endpoint with name {spec.Name} already registered");
        }
        return new UpdateNexusEndpointResponse { Endpoint = await ToApiAsync(stored, "internal error", ct) };
    }

    /// <summary>
    /// Deletes the endpoint at the version given. The API says the version must match the current one, and so it must
    /// here (FailedPrecondition otherwise, as an update's); Temporal 1.28 checks only that it is positive.
    /// </summary>
    public virtual async Task<DeleteNexusEndpointResponse> DeleteNexusEndpoint(DeleteNexusEndpointRequest request, ServerCallContext context)
    {
        var issues = new List<string>();
        var id = NexusEndpointValidation.RequireId(request.Id, issues);
        if (request.Version <= 0)
        {
            issues.Add("endpoint version is non-positive");
        }
        NexusEndpointValidation.ThrowIfAny(issues);
        try
        {
            await endpoints.DeleteAsync(id, request.Version, context.CancellationToken);
        }
        catch (NexusEndpointConditionFailedException e)
        {
            throw e.CurrentVersion is { } current
                ? VersionMismatch(request.Version, current)
                : new EntityNotFoundException($"error deleting nexus endpoint with ID: {request.Id}");
        }
        return new DeleteNexusEndpointResponse();
    }

    public virtual async Task<GetNexusEndpointResponse> GetNexusEndpoint(GetNexusEndpointRequest request, ServerCallContext context)
    {
        var issues = new List<string>();
        var id = NexusEndpointValidation.RequireId(request.Id, issues);
        NexusEndpointValidation.ThrowIfAny(issues);
        var ct = context.CancellationToken;
        var endpoint = await endpoints.GetAsync(id, ct)
            ?? throw new EntityNotFoundException($"Nexus endpoint with ID `{request.Id}` not found");
        return new GetNexusEndpointResponse { Endpoint = await ToApiAsync(endpoint, $"error looking up Nexus endpoint with ID `{request.Id}`", ct) };
    }

    /// <summary>
    /// A page of endpoints in id order. With <c>name</c> the answer is that endpoint or none, and the page size and
    /// token are not looked at, as on Temporal. A page token is the last id of the page before; a page is followed by
    /// a token only when more endpoints follow it.
    /// </summary>
    public virtual async Task<ListNexusEndpointsResponse> ListNexusEndpoints(ListNexusEndpointsRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var response = new ListNexusEndpointsResponse();
        if (request.Name.Length > 0)
        {
            if (await endpoints.GetByNameAsync(request.Name, ct) is { } named)
            {
                response.Endpoints.Add(await ToApiAsync(named, ListFailed, ct));
            }
            return response;
        }
        var pageSize = NexusEndpointValidation.PageSize(request.PageSize);
        string? after = null;
        if (!request.NextPageToken.IsEmpty)
        {
            after = NexusEndpointValidation.TryCanonicalId(request.NextPageToken.ToStringUtf8(), out var last, out _)
                ? last
                : throw new InvalidArgumentException("Invalid NextPageToken.");
        }
        var page = await endpoints.ListAsync(after, pageSize + 1, ct);
        foreach (var endpoint in page.Take(pageSize))
        {
            response.Endpoints.Add(await ToApiAsync(endpoint, ListFailed, ct));
        }
        if (page.Count > pageSize)
        {
            response.NextPageToken = ByteString.CopyFromUtf8(page[pageSize - 1].Id);
        }
        return response;
    }

    private const string ListFailed = "error listing Nexus endpoints";

    private static FailedPreconditionException VersionMismatch(long received, long current) =>
        new($"nexus endpoint version mismatch. received: {received} expected {current}");

    /// <summary>The time of a write, to the millisecond: what both stores keep, so a write answers what a read returns.</summary>
    private DateTimeOffset NowToTheMillisecond() => DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds());

    /// <summary>
    /// The endpoint as the API shows it: the target namespace by its current name (Internal with
    /// <paramref name="failure"/> when the namespace is gone, as on Temporal), last_modified_time only once it has been
    /// updated, and the URL path Temporal serves the endpoint's operations on.
    /// </summary>
    private async Task<Endpoint> ToApiAsync(NexusEndpointRecord endpoint, string failure, CancellationToken ct)
    {
        var target = new EndpointTarget();
        if (endpoint.Target.IsWorker)
        {
            string name;
            try
            {
                name = (await namespaces.GetByIdAsync(endpoint.Target.NamespaceId!, ct)).Name;
            }
            catch (NamespaceNotFoundException)
            {
                throw new RpcException(new Status(StatusCode.Internal, failure));
            }
            target.Worker = new EndpointTarget.Types.Worker { Namespace = name, TaskQueue = endpoint.Target.TaskQueue };
        }
        else
        {
            target.External = new EndpointTarget.Types.External { Url = endpoint.Target.Url };
        }
        var spec = new EndpointSpec { Name = endpoint.Name, Target = target };
        if (endpoint.Description is { } description)
        {
            spec.Description = Payload.Parser.ParseFrom(description);
        }
        return new Endpoint
        {
            Id = endpoint.Id,
            Version = endpoint.Version,
            Spec = spec,
            CreatedTime = Timestamp.FromDateTimeOffset(endpoint.CreatedTime),
            LastModifiedTime = endpoint.Version > 1 && endpoint.LastModifiedTime is { } modified ? Timestamp.FromDateTimeOffset(modified) : null,
            UrlPrefix = $"/nexus/endpoints/{Uri.EscapeDataString(endpoint.Id)}/services",
        };
    }
}
