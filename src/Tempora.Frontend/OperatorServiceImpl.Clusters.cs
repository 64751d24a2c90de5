using System.Net;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Temporalio.Api.OperatorService.V1;

namespace Tempora.Frontend;

/// <summary>
/// ListClusters: Tempora is one cluster (its replicas share one store and one shard map), so the list holds the local
/// cluster alone, as a Temporal cluster without remote clusters answers. Adding or removing a remote cluster answers
/// Unimplemented (<see cref="UnimplementedReasons"/>).
/// </summary>
internal partial class OperatorServiceImpl
{
    public virtual Task<ListClustersResponse> ListClusters(ListClustersRequest request, ServerCallContext context)
    {
        var response = new ListClustersResponse();
        // A page token names the last cluster of the page before (Temporal's, gob-encoded); Tempora hands none out,
        // its one cluster fitting any page, and reads one given as a plain name: at or past ours, nothing is left.
        var after = request.NextPageToken.ToStringUtf8();
        if (string.CompareOrdinal(LocalCluster.Name, after) > 0)
        {
            response.Clusters.Add(new ClusterMetadata
            {
                ClusterName = LocalCluster.Name,
                ClusterId = LocalCluster.Id,
                Address = FrontendAddress(context),
                HttpAddress = "", // no HTTP API (issue 23)
                InitialFailoverVersion = LocalCluster.InitialFailoverVersion,
                HistoryShardCount = shards.Count,
                IsConnectionEnabled = true,
            });
        }
        return Task.FromResult(response);
    }

    /// <summary>The address this frontend listens on, as the caller's connection reached it.</summary>
    private static string FrontendAddress(ServerCallContext context)
    {
        var connection = context.GetHttpContext().Connection;
        var ip = connection.LocalIpAddress is { IsIPv4MappedToIPv6: true } mapped ? mapped.MapToIPv4() : connection.LocalIpAddress;
        return ip is null ? context.Host : new IPEndPoint(ip, connection.LocalPort).ToString();
    }
}
