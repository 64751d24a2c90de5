using Temporalio.Api.OperatorService.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Exceptions;

namespace Tempora.EndToEnd.Tests;

/// <summary>RPCs that answer Unimplemented for good say why, rather than "not implemented yet".</summary>
[Collection(ServerCollection.Name)]
public sealed class UnimplementedReasonTests(ServerFixture fixture)
{
    [Fact]
    public async Task RemoteClusters_AnswerUnimplemented_SayingThereIsOneCluster()
    {
        var upsert = await Assert.ThrowsAsync<RpcException>(() => fixture.Client.OperatorService.AddOrUpdateRemoteClusterAsync(
            new AddOrUpdateRemoteClusterRequest { FrontendAddress = "127.0.0.1:1", EnableRemoteClusterConnection = true }));
        var remove = await Assert.ThrowsAsync<RpcException>(() => fixture.Client.OperatorService.RemoveRemoteClusterAsync(
            new RemoveRemoteClusterRequest { ClusterName = "other" }));

        foreach (var refused in new[] { upsert, remove })
        {
            Assert.Equal(RpcException.StatusCode.Unimplemented, refused.Code);
            Assert.Contains("multi-cluster replication is not supported", refused.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task DeprecatedDeployments_AnswerUnimplemented_InTemporalsWords()
    {
        var refused = await Assert.ThrowsAsync<RpcException>(() => fixture.Client.WorkflowService.GetCurrentDeploymentAsync(
            new GetCurrentDeploymentRequest { Namespace = "default", SeriesName = "s" }));

        Assert.Equal((RpcException.StatusCode.Unimplemented, "Deployments are deprecated and no longer supported, use Worker Deployments instead"),
            (refused.Code, refused.Message));
    }
}
