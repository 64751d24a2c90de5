using Google.Protobuf;
using Temporalio.Api.OperatorService.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// `temporal operator cluster list`: the list holds the one local cluster, described as GetClusterInfo describes it.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ClusterListTests(ServerFixture fixture)
{
    [Fact]
    public async Task ListClusters_HoldsTheLocalClusterAsGetClusterInfoDescribesIt()
    {
        var info = await fixture.Client.WorkflowService.GetClusterInfoAsync(new GetClusterInfoRequest());

        var list = await fixture.Client.OperatorService.ListClustersAsync(new ListClustersRequest());

        var cluster = Assert.Single(list.Clusters);
        Assert.Equal((info.ClusterName, info.ClusterId, info.HistoryShardCount),
            (cluster.ClusterName, cluster.ClusterId, cluster.HistoryShardCount));
        Assert.Equal(fixture.Server.GrpcAddress, cluster.Address);
        Assert.True(cluster.IsConnectionEnabled);
        Assert.Equal(1, cluster.InitialFailoverVersion);
        Assert.True(list.NextPageToken.IsEmpty);
    }

    [Fact]
    public async Task ListClusters_PageAfterTheLastName_IsEmpty()
    {
        var list = await fixture.Client.OperatorService.ListClustersAsync(new ListClustersRequest
        {
            PageSize = 1,
            NextPageToken = ByteString.CopyFromUtf8("active"),
        });

        Assert.Empty(list.Clusters);
    }
}
