using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;
using Tempora.Cluster.Peers;
using Tempora.Cluster.Routing;
using Tempora.Core;
using Tempora.History;

namespace Tempora.Cluster.Forwarding;

/// <summary>
/// Sends each request about one workflow to the process that owns the workflow's shard (as Temporal's frontend
/// sends it to the history host owning the shard); which requests are about one workflow, and which one, is read from
/// <see cref="WorkflowRoutes"/>. Requests not tied to a workflow (namespaces, visibility, polls, cluster info) are
/// served by whichever process received them. A process that owns every shard for good (SQLite) passes everything
/// through.
/// </summary>
public sealed partial class ShardRoutingInterceptor(IShardOwnership ownership, NamespaceRegistry namespaces, ClusterChannels channels,
    ILogger<ShardRoutingInterceptor> logger) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation) =>
        // One process owning every shard (SQLite) passes each call straight through, without a state machine.
        ownership.OwnsEveryShard ? continuation(request, context) : RouteAsync(request, context, continuation);

    private async Task<TResponse> RouteAsync<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
        where TRequest : class
        where TResponse : class
    {
        if (await TargetAsync(context.Method, request, context.CancellationToken) is not var (namespaceId, workflowId))
        {
            return await continuation(request, context);
        }
        // While a shard has no reachable owner (it is moving, or its owner died and its lease has not run out) the
        // request waits here and tries again, as Temporal's frontend retries history: the survivors take a dead
        // replica's shards within about 11 s, which would otherwise outlast the SDKs' own retries of Unavailable.
        var giveUpAt = DateTime.UtcNow + MaxWaitForOwner;
        if (context.Deadline != DateTime.MaxValue && context.Deadline - WaitReserve < giveUpAt)
        {
            giveUpAt = context.Deadline - WaitReserve;
        }
        var forwarded = ClusterChannels.IsForwarded(context);
        while (true)
        {
            var route = ownership.Route(namespaceId, workflowId);
            if (route.Kind == ShardRouteKind.Local)
            {
                return await continuation(request, context);
            }
            if (forwarded)
            {
                // Sent here by a process whose view is a moment old: it waits and routes again itself.
                throw new ShardUnavailableException(Shards.Of(namespaceId, workflowId, ownership.Count));
            }
            if (route.Kind == ShardRouteKind.Remote)
            {
                try
                {
                    return await channels.ForwardAsync<TRequest, TResponse>(route.Address!, context.Method, request, ClusterChannels.ForwardOptions(context));
                }
                catch (RpcException e) when (NotDelivered(e) && DateTime.UtcNow < giveUpAt)
                {
                    // The owner is unreachable (it died?) or refused the request unread: try again below.
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.PermissionDenied && e.Status.Detail == PeerAuthentication.RefusalMessage)
                {
                    // A forwarded request is not authorized again, so this is the owner refusing us as a replica: the
                    // operator has to know, the client only sees PermissionDenied.
                    LogRefusedByOwner(logger, context.Method, route.Address!);
                    throw;
                }
            }
            if (DateTime.UtcNow >= giveUpAt)
            {
                throw new ShardUnavailableException(Shards.Of(namespaceId, workflowId, ownership.Count));
            }
            await Task.Delay(RetryEvery, context.CancellationToken);
        }
    }

    private static readonly TimeSpan MaxWaitForOwner = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan WaitReserve = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RetryEvery = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// True when the forwarded request surely did not run: the owner could not be reached (no connection), or it
    /// answered that the shard is not its own any more. Anything else is the owner's answer and goes to the client.
    /// </summary>
    private static bool NotDelivered(RpcException e) =>
        e.StatusCode == StatusCode.Unavailable
        && (e.Status.DebugException is System.Net.Http.HttpRequestException or System.Net.Sockets.SocketException
            || e.Status.Detail.Contains(ShardUnavailableException.MessageMarker, StringComparison.Ordinal));

    /// <summary>The workflow a request is about, as (namespace id, workflow id); null for requests about none.</summary>
    private async Task<(string NamespaceId, string WorkflowId)?> TargetAsync(string method, object request, CancellationToken ct)
    {
        if (WorkflowRoutes.Of(method) is not { } route || request is not IMessage message)
        {
            return null;
        }
        var (token, ns, workflowId) = route.Target(message);
        if (token is not null)
        {
            return FromToken(token);
        }
        if (string.IsNullOrEmpty(ns) || string.IsNullOrEmpty(workflowId))
        {
            return null; // invalid: the handler answers it (validation errors included)
        }
        try
        {
            var record = await namespaces.GetByNameAsync(ns, ct);
            // A namespace whose state refuses the request (deprecated, deleted) is refused here, by the handler, not
            // forwarded to a replica whose cached copy of the namespace may be older.
            return NamespaceStates.Allows(record, method) ? (record.Id, workflowId) : null;
        }
        catch (Core.Errors.NamespaceNotFoundException)
        {
            return null; // the handler answers NotFound the usual way
        }
    }

    private static (string, string)? FromToken(ByteString token)
    {
        try
        {
            var t = TaskToken.Deserialize(token.Span);
            return (t.NamespaceId, t.WorkflowId);
        }
        catch (Core.Errors.InvalidArgumentException)
        {
            return null; // the handler rejects the malformed token
        }
    }

    [LoggerMessage(EventId = 1162, Level = LogLevel.Warning,
        Message = "The replica at {Address} refused {Method} forwarded to it: the replicas do not share one cluster secret (cluster:secret) or internode CA")]
    private static partial void LogRefusedByOwner(ILogger logger, string method, string address);
}
