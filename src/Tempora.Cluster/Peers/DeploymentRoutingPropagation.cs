using Grpc.Core;
using Microsoft.Extensions.Logging;
using Tempora.Core;
using Tempora.Core.Versioning;
using Tempora.Matching.Versioning;

namespace Tempora.Cluster.Peers;

/// <summary>
/// After a worker deployment change is committed, every process reloads its routing before the RPC answers: this one
/// first, then each replica at once (ClusterService.ReloadDeploymentRouting), waiting for their answers. A replica that
/// cannot be reached is left to its periodic reload (<see cref="DeploymentRoutingCache.RefreshInterval"/>), as a
/// replica that is down routes nothing; the change is in the database already.
/// </summary>
public sealed class DeploymentRoutingPropagation(
    DeploymentRoutingCache routing, IShardOwnership ownership, ClusterChannels channels, ILogger<DeploymentRoutingPropagation> logger)
    : IDeploymentRoutingPropagation
{
    private static readonly TimeSpan PeerTimeout = TimeSpan.FromSeconds(10);

    public async Task PropagateAsync(CancellationToken ct)
    {
        await routing.ReloadAsync(ct);
        await Task.WhenAll(ownership.Peers.Select(peer => ReloadAtAsync(peer, ct)));
    }

    private async Task ReloadAtAsync(string peer, CancellationToken ct)
    {
        try
        {
            var options = new CallOptions(
                headers: [new Metadata.Entry(ClusterChannels.ForwardedHeader, "1")],
                deadline: DateTime.UtcNow + PeerTimeout,
                cancellationToken: ct);
            await channels.Invoker(peer).AsyncUnaryCall(Internal.ClusterMethods.ReloadDeploymentRouting, null, options,
                Internal.ClusterMethods.Encode(true));
        }
        catch (RpcException e)
        {
            logger.LogWarning(e, "Replica {Peer} did not take up the worker deployment routing change; it reloads on its own", peer);
        }
    }
}
