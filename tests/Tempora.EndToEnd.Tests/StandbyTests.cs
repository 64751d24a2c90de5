using System.Net;
using System.Net.Sockets;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Tempora.Server;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// A second server on the same PostgreSQL database is a standby: it listens (live, not ready, API Unavailable) until the
/// first one gives its shards up, then serves.
/// </summary>
[Collection(nameof(StandbyTests))]
[Trait("Store", "PostgresOnly")]
public sealed class StandbyTests : IDisposable
{
    private readonly TestDatabase _db = new("standby", postgres: true);

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task Standby_AnswersProbesButNotTheApi_UntilTheActiveServerStops()
    {
        var active = await ServerFixture.StartServerAsync(_db.Apply(new TemporaOptions { Port = 0, MetricsPort = 0, Headless = true }), "standby-active");
        var (port, metricsPort) = (FreePort(), FreePort());
        var standbyStart = ServerFixture.StartServerAsync(
            _db.Apply(new TemporaOptions { Port = port, MetricsPort = metricsPort, Headless = true }), "standby-standby");
        using var http = new HttpClient();
        var health = $"http://127.0.0.1:{metricsPort}/health";

        await Wait.UntilAsync(async () => await StatusAsync(http, $"{health}/live"), s => s == HttpStatusCode.OK, "the standby's liveness probe");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await StatusAsync(http, $"{health}/ready"));
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
        var refused = await Assert.ThrowsAsync<RpcException>(() => GetSystemInfoAsync(channel));
        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
        var serving = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest { Service = "temporal.api.workflowservice.v1.WorkflowService" });
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, serving.Status);
        Assert.False(standbyStart.IsCompleted);

        await active.StopAsync();
        await active.DisposeAsync(); // gives the leases up

        await using var standby = await standbyStart.WithTimeout("the standby to take over after a graceful stop");
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(http, $"{health}/ready"));
        var info = await GetSystemInfoAsync(channel);
        Assert.False(string.IsNullOrEmpty(info.ServerVersion));
        serving = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest { Service = "temporal.api.workflowservice.v1.WorkflowService" });
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, serving.Status);
    }

    /// <summary>One raw call, without the SDK's retries, so that the standby's answer is seen as it is.</summary>
    private static async Task<GetSystemInfoResponse> GetSystemInfoAsync(GrpcChannel channel)
    {
        var method = new Method<GetSystemInfoRequest, GetSystemInfoResponse>(MethodType.Unary,
            "temporal.api.workflowservice.v1.WorkflowService", "GetSystemInfo",
            Marshallers.Create<GetSystemInfoRequest>(r => r.ToByteArray(), GetSystemInfoRequest.Parser.ParseFrom),
            Marshallers.Create<GetSystemInfoResponse>(r => r.ToByteArray(), GetSystemInfoResponse.Parser.ParseFrom));
        return await channel.CreateCallInvoker().AsyncUnaryCall(method, null, default, new GetSystemInfoRequest());
    }

    private static async Task<HttpStatusCode?> StatusAsync(HttpClient http, string url)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(url));
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null; // not listening yet
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
