using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Tempora.Cluster.Internal;
using Tempora.Core;
using Temporalio.Api.ErrorDetails.V1;

namespace Tempora.Cluster.Peers;

/// <summary>
/// Decides whether a call comes from a replica of this cluster. Only a replica may send a call marked as forwarded
/// (<see cref="ClusterChannels.ForwardedHeader"/>: the receiver serves it without routing it again, and authorization
/// trusts the replica that received it first) or call the internal <see cref="ClusterService"/>. A replica proves
/// itself with a TLS client certificate that chains to the internode CAs, or with the cluster secret
/// (<see cref="ClusterSecret.Header"/>). A process alone on its store has no replicas and refuses every such call.
/// </summary>
public sealed partial class PeerAuthentication(IShardOwnership ownership, ClusterSecret secret, InternodeTrust internode, ILogger<PeerAuthentication> logger)
{
    /// <summary>Set in the call's user state once the caller has proved to be a replica.</summary>
    private static readonly object ProvenKey = new();

    /// <summary>Whether only a replica may make this call: it is marked as forwarded, or it is a cluster-service call.</summary>
    public static bool NeedsReplica(ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return RequestHeader.Value(context, ClusterChannels.ForwardedHeader) is not null
            || context.Method.StartsWith(ClusterServicePrefix, StringComparison.Ordinal);
    }

    /// <summary>Whether <see cref="Authenticate"/> let this call through as a replica's.</summary>
    public static bool IsProvenReplica(ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.UserState.ContainsKey(ProvenKey);
    }

    /// <summary>Throws PermissionDenied unless <see cref="Authenticate"/> proved this call a replica's.</summary>
    public static void RequireProvenReplica(ServerCallContext context)
    {
        if (!IsProvenReplica(context))
        {
            throw Refusal();
        }
    }

    /// <summary>
    /// Lets a call any client may make through as it is; one only a replica may make through when the caller proves
    /// to be one (and records that in the call), else refuses it with PermissionDenied and logs a warning.
    /// </summary>
    public void Authenticate(ServerCallContext context)
    {
        if (!NeedsReplica(context))
        {
            return;
        }
        if (!IsReplica(context))
        {
            LogRefused(logger, context.Method, context.Peer, context.RequestHeaders.Get(ClusterSecret.Header) is not null);
            throw Refusal();
        }
        context.UserState[ProvenKey] = true;
    }

    /// <summary>Whether the caller is a replica of this cluster, by its cluster secret or its client certificate.</summary>
    public bool IsReplica(ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (ownership.OwnsEveryShard)
        {
            return false; // alone on its store (SQLite): no process is its replica
        }
        if (secret.Matches(context.RequestHeaders.GetValue(ClusterSecret.Header)))
        {
            return true;
        }
        return context.GetHttpContext().Connection.ClientCertificate is { } certificate && internode.IsInternodeCertificate(certificate);
    }

    private const string ClusterServicePrefix = "/" + ClusterMethods.ServiceName + "/";

    /// <summary>What a refused caller is told: Temporal's authorizer's words. The log, not the caller, says why.</summary>
    public const string RefusalMessage = "Request unauthorized.";

    private static RpcException Refusal()
    {
        // With Temporal's PermissionDeniedFailure detail, as its serviceerror.PermissionDenied carries one.
        var status = new Temporalio.Api.Common.V1.GrpcStatus { Code = (int)StatusCode.PermissionDenied, Message = RefusalMessage };
        status.Details.Add(Any.Pack(new PermissionDeniedFailure()));
        return new RpcException(new Status(StatusCode.PermissionDenied, RefusalMessage), new Metadata { { "grpc-status-details-bin", status.ToByteArray() } });
    }

    [LoggerMessage(EventId = 1161, Level = LogLevel.Warning,
        Message = "Refused {Method} from {Peer}: only a replica may forward a request or call the cluster service, and the caller proved none " +
            "(no client certificate of the internode CA; cluster secret presented: {SecretPresented}, not matching)")]
    private static partial void LogRefused(ILogger logger, string method, string peer, bool secretPresented);
}
