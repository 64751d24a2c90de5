using Grpc.Health.V1;
using Grpc.Net.Client;

namespace Tempora.EndToEnd.Tests;

/// <summary>The standard grpc.health.v1 service, as the Java SDK checks it before anything else.</summary>
[Collection(ServerCollection.Name)]
public sealed class HealthTests(ServerFixture fixture)
{
    [Theory]
    [InlineData("")]
    [InlineData("temporal.api.workflowservice.v1.WorkflowService")]
    [InlineData("temporal.api.operatorservice.v1.OperatorService")]
    public async Task HealthCheck_KnownService_IsServing(string service)
    {
        using var channel = GrpcChannel.ForAddress($"http://{fixture.Server.GrpcAddress}");
        var response = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest { Service = service });
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
    }

    [Fact]
    public async Task SdkHealthCheck_OfEachService_IsHealthy()
    {
        var connection = fixture.Client.Connection;

        Assert.True(await connection.CheckHealthAsync());
        Assert.True(await connection.CheckHealthAsync(connection.OperatorService));
    }

    [Fact]
    public async Task HealthCheck_UnknownService_IsNotFound()
    {
        using var channel = GrpcChannel.ForAddress($"http://{fixture.Server.GrpcAddress}");
        var e = await Assert.ThrowsAsync<Grpc.Core.RpcException>(
            async () => await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest { Service = "no.such.Service" }));
        Assert.Equal(Grpc.Core.StatusCode.NotFound, e.StatusCode);
    }
}
