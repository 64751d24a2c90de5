using Google.Protobuf;
using Temporalio.Api.WorkflowService.V1;
using Tempora.EndToEnd.Tests.Deployments;

namespace Tempora.EndToEnd.Tests.Http;

/// <summary>The worker deployment RPCs through Temporal's HTTP API routes (/worker-deployments…,
/// /worker-deployment-versions…), answering as over gRPC.</summary>
[Collection(ServerCollection.Name)]
public sealed class HttpApiWorkerDeploymentTests(ServerFixture fixture) : IDisposable
{
    private const string Ns = "/api/v1/namespaces/default";

    private readonly HttpApi _http = HttpApi.For(fixture.Server.HttpAddress!);

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task DescribeSetAndDescribeVersion_ThroughHttp_MatchGrpc()
    {
        var deployment = $"http-{Guid.NewGuid():N}"[..17];
        await DeploymentCalls.PollAsync(fixture.Client, deployment, "b1", ServerFixture.NewTaskQueue("dep-http"));

        var described = (await _http.GetAsync($"{Ns}/worker-deployments/{deployment}")).As<DescribeWorkerDeploymentResponse>();
        Assert.Equal(await DeploymentCalls.DescribeAsync(fixture.Client, deployment), described);

        var set = await _http.PostAsync($"{Ns}/worker-deployments/{deployment}/set-current-version", JsonFormatter.Default.Format(
            new SetWorkerDeploymentCurrentVersionRequest { BuildId = "b1", ConflictToken = described.ConflictToken, Identity = "http" }));
        Assert.Equal(System.Net.HttpStatusCode.OK, set.Status);
        var version = (await _http.GetAsync($"{Ns}/worker-deployment-versions/{deployment}/b1")).As<DescribeWorkerDeploymentVersionResponse>();
        Assert.Equal(Temporalio.Api.Enums.V1.WorkerDeploymentVersionStatus.Current, version.WorkerDeploymentVersionInfo.Status);

        var missing = await _http.GetAsync($"{Ns}/worker-deployments/no-{deployment}");
        Assert.Equal((System.Net.HttpStatusCode.NotFound, 5, "Worker Deployment not found"), (missing.Status, missing.Code, missing.Message));
    }
}
