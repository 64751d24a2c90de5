using System.Net;
using System.Text;
using Google.Protobuf.WellKnownTypes;
using Temporalio.Api.Dependencies.Google.Api;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Exceptions;

namespace Tempora.EndToEnd.Tests.Http;

/// <summary>
/// The HTTP API's refusals as Temporal's (grpc-gateway's status codes, google.rpc.Status bodies with the Temporal
/// error detail), and what Tempora refuses on top: unknown fields and enum values by name, non-JSON bodies, bodies
/// over 4 MiB. Every route of both services answers without a server error; the unimplemented ones 501.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class HttpApiErrorTests(ServerFixture fixture) : IDisposable
{
    private const string Ns = "/api/v1/namespaces/default";

    private readonly HttpApi _http = HttpApi.For(fixture.Server.HttpAddress!);

    private TemporalClient Client => fixture.Client;

    public void Dispose() => _http.Dispose();

    private static string StartBody(string type = "HttpErrors") =>
        $$$"""{"workflowType":{"name":"{{{type}}}"},"taskQueue":{"name":"{{{ServerFixture.NewTaskQueue()}}}"}}""";

    [Fact]
    public async Task UnknownRoute_AndGrpcPath_404NotFound()
    {
        foreach (var path in new[] { "/api/v1/nothing-here", "/temporal.api.workflowservice.v1.WorkflowService/GetSystemInfo", "/metrics" })
        {
            var answer = await _http.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, answer.Status);
            Assert.Equal("""{"code":5,"message":"Not Found"}""", answer.Body);
        }
    }

    [Fact]
    public async Task KnownPathOtherMethod_501MethodNotAllowed()
    {
        var answer = await _http.SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"{Ns}/workflows/some-id"));
        Assert.Equal(HttpStatusCode.NotImplemented, answer.Status);
        Assert.Equal("""{"code":12,"message":"Method Not Allowed"}""", answer.Body);
    }

    [Fact]
    public async Task MalformedJson_UnknownField_BadEnum_400NamingIt_NothingStarted()
    {
        var id = ServerFixture.NewWorkflowId("http-bad");
        var malformed = await _http.PostAsync($"{Ns}/workflows/{id}", """{"workflowType":""");
        Assert.Equal(HttpStatusCode.BadRequest, malformed.Status);
        Assert.Equal(3, malformed.Code);
        Assert.StartsWith("Malformed JSON body", malformed.Message, StringComparison.Ordinal);

        var unknown = await _http.PostAsync($"{Ns}/workflows/{id}", """{"workflowType":{"nmae":"X"},"taskQueue":{"name":"q"}}""");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.Status);
        Assert.Equal(3, unknown.Code);
        Assert.Equal("unknown field \"workflowType.nmae\" in temporal.api.common.v1.WorkflowType", unknown.Message);

        var badEnum = await _http.PostAsync($"{Ns}/workflows/{id}",
            """{"workflowType":{"name":"X"},"taskQueue":{"name":"q"},"workflowIdReusePolicy":"Sometimes"}""");
        Assert.Equal(HttpStatusCode.BadRequest, badEnum.Status);
        Assert.Contains("temporal.api.enums.v1.WorkflowIdReusePolicy in field \"workflowIdReusePolicy\": Sometimes", badEnum.Message, StringComparison.Ordinal);

        await Assert.ThrowsAsync<RpcException>(() => Client.WorkflowService.DescribeWorkflowExecutionAsync(
            new DescribeWorkflowExecutionRequest { Namespace = "default", Execution = new() { WorkflowId = id } }));
    }

    [Fact]
    public async Task UnknownQueryParameter_400NamingIt_FieldPathsAccepted()
    {
        var unknown = await _http.GetAsync($"{Ns}/workflows?query=&pageSiz=3");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.Status);
        Assert.StartsWith("unknown query parameter \"pageSiz\"", unknown.Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync($"{Ns}/workflows?pageSize=3&page_size=3&pretty")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync($"{Ns}/workflows/missing-{Guid.NewGuid():N}?execution.run_id=&noPayloadShorthand")).Status);
    }

    [Fact]
    public async Task NonJsonBody_415_OversizedBody_413()
    {
        var id = ServerFixture.NewWorkflowId("http-body");
        var xml = await _http.PostAsync($"{Ns}/workflows/{id}", StartBody(), contentType: "text/xml");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, xml.Status);
        Assert.Contains("application/json", xml.Message, StringComparison.Ordinal);

        // What `curl -d` sends without -H: read as JSON, as Temporal does; a real form body is malformed JSON.
        var form = await _http.PostAsync($"{Ns}/workflows/{id}-form", "a=b", contentType: "application/x-www-form-urlencoded");
        Assert.Equal(HttpStatusCode.BadRequest, form.Status);
        Assert.Equal(HttpStatusCode.OK, (await _http.PostAsync($"{Ns}/workflows/{id}-form", StartBody(), contentType: "application/x-www-form-urlencoded")).Status);

        var huge = $$"""{"workflowType":{"name":"X"},"taskQueue":{"name":"q"},"identity":"{{new string('a', 4 * 1024 * 1024)}}"}""";
        var tooLarge = await _http.PostAsync($"{Ns}/workflows/{id}", huge);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.Status);
        Assert.Equal(8, tooLarge.Code);

        // Without a Content-Type the body is JSON, as grpc-gateway reads it.
        using var bare = new HttpRequestMessage(HttpMethod.Post, $"{Ns}/workflows/{id}") { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(StartBody())) };
        Assert.Equal(HttpStatusCode.OK, (await _http.SendAsync(bare)).Status);
    }

    [Fact]
    public async Task AlreadyStarted_409_NotFound_404_WithTemporalDetails()
    {
        var id = ServerFixture.NewWorkflowId("http-dup");
        var first = await _http.PostAsync($"{Ns}/workflows/{id}", StartBody());
        var again = await _http.PostAsync($"{Ns}/workflows/{id}", StartBody());
        Assert.Equal(HttpStatusCode.Conflict, again.Status);
        Assert.Equal(6, again.Code);
        var detail = again.Json.GetProperty("details")[0];
        Assert.Equal("type.googleapis.com/temporal.api.errordetails.v1.WorkflowExecutionAlreadyStartedFailure", detail.GetProperty("@type").GetString());
        Assert.Equal(first.Json.GetProperty("runId").GetString(), detail.GetProperty("runId").GetString());

        var missing = await _http.GetAsync($"{Ns}/workflows/{ServerFixture.NewWorkflowId("missing")}");
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        Assert.Equal("type.googleapis.com/temporal.api.errordetails.v1.NotFoundFailure", missing.Json.GetProperty("details")[0].GetProperty("@type").GetString());

        var noNamespace = await _http.GetAsync("/api/v1/namespaces/no-such-namespace-here/workflows");
        Assert.Equal(HttpStatusCode.NotFound, noNamespace.Status);
        Assert.Equal("no-such-namespace-here", noNamespace.Json.GetProperty("details")[0].GetProperty("namespace").GetString());
    }

    [Fact]
    public async Task BadValue_RefusedAsOverGrpc()
    {
        // RequestValues runs as an interceptor, so HTTP calls get the same refusal as gRPC ones.
        var request = new StartWorkflowExecutionRequest
        {
            Namespace = "default",
            WorkflowId = ServerFixture.NewWorkflowId("http-value"),
            WorkflowType = new() { Name = "X" },
            TaskQueue = new() { Name = "q" },
            RequestId = Guid.NewGuid().ToString(),
            WorkflowRunTimeout = new Duration { Seconds = 1, Nanos = -5 },
        };
        var grpc = await Assert.ThrowsAsync<RpcException>(() => Client.WorkflowService.StartWorkflowExecutionAsync(request));
        var http = await _http.PostAsync($"{Ns}/workflows/{request.WorkflowId}",
            $$"""{"workflowType":{"name":"X"},"taskQueue":{"name":"q"},"requestId":"{{request.RequestId}}","workflowRunTimeout":"0.999999995s","workflowIdConflictPolicy":99}""");
        Assert.Equal(RpcException.StatusCode.InvalidArgument, grpc.Code);
        Assert.Equal(HttpStatusCode.BadRequest, http.Status);
        Assert.Equal(3, http.Code);
    }

    [Fact]
    public async Task UnimplementedRpc_501_WithTheGrpcMessage()
    {
        // The v0.30 deployment RPCs: 1.28 answers them Unimplemented too.
        var grpc = await Assert.ThrowsAsync<RpcException>(() => Client.WorkflowService.SetCurrentDeploymentAsync(
            new SetCurrentDeploymentRequest { Namespace = "default" }));
        var http = await _http.PostAsync($"{Ns}/current-deployment/d", "{}");
        Assert.Equal(HttpStatusCode.NotImplemented, http.Status);
        Assert.Equal(12, http.Code);
        Assert.Equal(grpc.Message, http.Message);
    }

    [Fact]
    public async Task EveryRoute_BothForms_AnswersAStatusNeverAServerError()
    {
        var services = new[]
        {
            Temporalio.Api.WorkflowService.V1.ServiceReflection.Descriptor.Services[0],
            Temporalio.Api.OperatorService.V1.ServiceReflection.Descriptor.Services[0],
        };
        var routes = 0;
        foreach (var method in services.SelectMany(s => s.Methods))
        {
            if (method.GetOptions()?.HasExtension(AnnotationsExtensions.Http) != true)
            {
                continue;
            }
            var rule = method.GetOptions().GetExtension(AnnotationsExtensions.Http);
            foreach (var binding in rule.AdditionalBindings.Prepend(rule))
            {
                var (verb, template) = binding.PatternCase switch
                {
                    HttpRule.PatternOneofCase.Get => (HttpMethod.Get, binding.Get),
                    HttpRule.PatternOneofCase.Post => (HttpMethod.Post, binding.Post),
                    HttpRule.PatternOneofCase.Put => (HttpMethod.Put, binding.Put),
                    HttpRule.PatternOneofCase.Delete => (HttpMethod.Delete, binding.Delete),
                    HttpRule.PatternOneofCase.Patch => (HttpMethod.Patch, binding.Patch),
                    _ => (null, null),
                };
                if (verb is null)
                {
                    continue;
                }
                // A namespace no test has, so nothing changes anywhere: every call is refused or reads nothing.
                var path = System.Text.RegularExpressions.Regex.Replace(template!, @"\{([^}=]+)(=[^}]*)?\}",
                    m => m.Groups[1].Value == "namespace" ? "http-route-probe" : "x");
                using var request = new HttpRequestMessage(verb, path);
                if (binding.Body.Length > 0)
                {
                    request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
                }
                var answer = await _http.SendAsync(request);
                routes++;
                Assert.True((int)answer.Status < 500 || answer.Status == HttpStatusCode.NotImplemented,
                    $"{method.FullName} {verb} {path}: {answer}");
                if (answer.Status != HttpStatusCode.OK)
                {
                    Assert.True(answer.Code > 0, $"{method.FullName} {verb} {path}: {answer}");
                }
            }
        }
        Assert.True(routes > 150, $"only {routes} routes");
    }
}
