using System.Net;
using Grpc.Core;
using Tempora.EndToEnd.Tests.Security;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.EndToEnd.Tests.Http;

/// <summary>
/// HTTP API calls pass the same authorization interceptor as gRPC ones (Temporal's HTTP API calls its own frontend
/// through the interceptor chain): no token is 401, a reader starting a workflow 403 with the Temporal detail and
/// nothing started; the token comes in the Authorization header or, as grpc-gateway allows, Grpc-Metadata-Authorization.
/// </summary>
public sealed class HttpApiAuthorizationTests(AuthorizationFixture fixture) : IClassFixture<AuthorizationFixture>, IDisposable
{
    private readonly HttpApi _http = HttpApi.For(fixture.Server.HttpAddress!);

    public void Dispose() => _http.Dispose();

    private static string StartBody() => $$$"""{"workflowType":{"name":"AuthIdle"},"taskQueue":{"name":"{{{ServerFixture.NewTaskQueue()}}}"}}""";

    [Fact]
    public async Task NoToken_401_Reader_403_NothingStarted_Writer_Starts()
    {
        var id = ServerFixture.NewWorkflowId("http-auth");
        var anonymous = await _http.PostAsync($"/api/v1/namespaces/default/workflows/{id}", StartBody());
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.Status);
        Assert.Equal((int)StatusCode.Unauthenticated, anonymous.Code);

        var reader = fixture.Token("reader", "default:read");
        var denied = await _http.PostAsync($"/api/v1/namespaces/default/workflows/{id}", StartBody(),
            r => r.Headers.Authorization = new("Bearer", reader));
        Assert.Equal(HttpStatusCode.Forbidden, denied.Status);
        Assert.Equal((int)StatusCode.PermissionDenied, denied.Code);
        Assert.Equal("type.googleapis.com/temporal.api.errordetails.v1.PermissionDeniedFailure",
            denied.Json.GetProperty("details")[0].GetProperty("@type").GetString());

        var writer = await fixture.ConnectAsync(fixture.Token("writer", "default:write"));
        await Assert.ThrowsAsync<Temporalio.Exceptions.RpcException>(() => writer.WorkflowService.DescribeWorkflowExecutionAsync(
            new DescribeWorkflowExecutionRequest { Namespace = "default", Execution = new() { WorkflowId = id } }));

        var read = await _http.GetAsync($"/api/v1/namespaces/default/workflows?query=WorkflowId%3D%27{id}%27",
            r => r.Headers.Authorization = new("Bearer", reader));
        Assert.Equal(HttpStatusCode.OK, read.Status);

        var started = await _http.PostAsync($"/api/v1/namespaces/default/workflows/{id}", StartBody(),
            r => r.Headers.TryAddWithoutValidation("Grpc-Metadata-Authorization", $"Bearer {fixture.Token("writer", "default:write")}"));
        Assert.Equal(HttpStatusCode.OK, started.Status);
        Assert.Equal(started.Json.GetProperty("runId").GetString(), (await writer.GetWorkflowHandle(id).DescribeAsync()).RunId);
    }
}
