using Google.Protobuf;
using Temporalio.Api.OperatorService.V1;

namespace Tempora.EndToEnd.Tests.Http;

/// <summary>The Nexus endpoint registry through Temporal's HTTP API routes (/cluster/nexus/endpoints…), answering as over gRPC.</summary>
[Collection(ServerCollection.Name)]
public sealed class HttpApiNexusEndpointTests(ServerFixture fixture) : IDisposable
{
    private readonly HttpApi _http = HttpApi.For(fixture.Server.HttpAddress!);

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task CreateGetListUpdateDelete_ThroughHttp_MatchGrpc()
    {
        var name = $"ep-http-{Guid.NewGuid():N}";
        var created = await _http.PostAsync("/cluster/nexus/endpoints", JsonFormatter.Default.Format(new CreateNexusEndpointRequest
        {
            Spec = new() { Name = name, Target = new() { Worker = new() { Namespace = "default", TaskQueue = "http-tq" } } },
        }));
        var endpoint = created.As<CreateNexusEndpointResponse>().Endpoint;
        Assert.Equal((1L, name), (endpoint.Version, endpoint.Spec.Name));

        var grpc = await fixture.Client.OperatorService.GetNexusEndpointAsync(new() { Id = endpoint.Id });
        Assert.Equal(grpc, (await _http.GetAsync($"/cluster/nexus/endpoints/{endpoint.Id}")).As<GetNexusEndpointResponse>());
        Assert.Equal(grpc.Endpoint, Assert.Single((await _http.GetAsync($"/api/v1/nexus/endpoints?name={name}")).As<ListNexusEndpointsResponse>().Endpoints));

        var updated = await _http.PostAsync($"/cluster/nexus/endpoints/{endpoint.Id}/update", JsonFormatter.Default.Format(new UpdateNexusEndpointRequest
        {
            Version = 1,
            Spec = new() { Name = name, Target = new() { External = new() { Url = "https://example.com" } } },
        }));
        Assert.Equal(2L, updated.As<UpdateNexusEndpointResponse>().Endpoint.Version);

        var stale = await _http.SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"/cluster/nexus/endpoints/{endpoint.Id}?version=1"));
        Assert.Equal((System.Net.HttpStatusCode.BadRequest, 9, "nexus endpoint version mismatch. received: 1 expected 2"),
            (stale.Status, stale.Code, stale.Message));
        var deleted = await _http.SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"/cluster/nexus/endpoints/{endpoint.Id}?version=2"));
        Assert.Equal(System.Net.HttpStatusCode.OK, deleted.Status);
        var gone = await _http.GetAsync($"/cluster/nexus/endpoints/{endpoint.Id}");
        Assert.Equal((System.Net.HttpStatusCode.NotFound, 5), (gone.Status, gone.Code));
    }
}
