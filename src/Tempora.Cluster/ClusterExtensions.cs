using Grpc.AspNetCore.Server.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Tempora.Cluster.Internal;
using Tempora.Cluster.Peers;
using Tempora.Cluster.Polling;
using Tempora.History;

namespace Tempora.Cluster;

public static class ClusterExtensions
{
    /// <summary>
    /// The cluster's services over a given membership (<see cref="Membership.SingleProcessShards"/> or
    /// <see cref="Membership.ShardLeases"/>): peer channels, poll fan-out, and the internal service runs on other
    /// processes' shards go through. Forwarding is the frontend's <see cref="Forwarding.ShardRoutingInterceptor"/>;
    /// the frontend's first interceptor, <see cref="PeerTrustInterceptor"/>, lets only replicas (by their internode
    /// certificate or <paramref name="secret"/>) forward requests or call the internal service.
    /// </summary>
    public static IServiceCollection AddCluster(this IServiceCollection services, Func<IServiceProvider, Membership.IClusterMembership> membership,
        ClusterSecret? secret = null)
    {
        services.AddSingleton(membership);
        services.AddSingleton(secret ?? ClusterSecret.None);
        services.AddSingleton<PeerAuthentication>();
        services.AddSingleton<Core.IShardOwnership>(sp => sp.GetRequiredService<Membership.IClusterMembership>());
        // Plaintext and no internode CAs unless the host registered its TLS settings first.
        services.TryAddSingleton(PeerTls.Plaintext);
        services.TryAddSingleton(InternodeTrust.None);
        services.AddSingleton<ClusterChannels>();
        services.AddSingleton<PollHandoff>();
        services.AddSingleton<ForwardedPolls>();
        services.AddSingleton<PollFanOut>();
        services.AddSingleton<PeerCalls>();
        services.AddSingleton<IRemoteRuns, RemoteRunsClient>();
        services.AddSingleton<ClusterService>();
        services.AddSingleton<Core.Versioning.IDeploymentRoutingPropagation, DeploymentRoutingPropagation>();
        services.AddSingleton<IServiceMethodProvider<ClusterService>>(new ClusterServiceBinder());
        return services;
    }

    public static IEndpointRouteBuilder MapCluster(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<ClusterService>();
        return endpoints;
    }
}
