using System.Text.Json;
using Temporalio.Api.Common.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Worker;

namespace Tempora.EndToEnd.Tests.Http;

/// <summary>
/// Temporal's HTTP API on the shared server, with a real HttpClient: a workflow started, queried (a .NET SDK worker
/// answers), signalled, described, listed, signal-with-started and terminated through JSON, each answer compared
/// field by field with the gRPC answer (read by Google.Protobuf's protojson parser). On a cluster the fixture's first
/// replica serves the HTTP API, so calls about a workflow on another replica's shard are forwarded.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class HttpApiWorkflowTests(ServerFixture fixture) : IDisposable
{
    private const string Ns = "/api/v1/namespaces/default";

    private readonly HttpApi _http = HttpApi.For(fixture.Server.HttpAddress!);

    private TemporalClient Client => fixture.Client;

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task StartQuerySignalDescribe_ThroughHttp_MatchGrpc()
    {
        var taskQueue = ServerFixture.NewTaskQueue("http");
        var id = ServerFixture.NewWorkflowId("http");
        using var worker = new TemporalWorker(Client, new TemporalWorkerOptions(taskQueue).AddWorkflow<WaitForFinishWorkflow>());
        await worker.ExecuteAsync(async () =>
        {
            var started = await _http.PostAsync($"{Ns}/workflows/{id}",
                $$"""{"workflowType":{"name":"WaitForFinishWorkflow"},"taskQueue":{"name":"{{taskQueue}}"},"identity":"curl"}""");
            Assert.True(started.Status == System.Net.HttpStatusCode.OK, started.ToString());
            var runId = started.Json.GetProperty("runId").GetString();
            Assert.Equal((await Client.GetWorkflowHandle(id).DescribeAsync()).RunId, runId);

            var queried = await _http.PostAsync($"{Ns}/workflows/{id}/query/State", """{"query":{"queryType":"State"}}""");
            Assert.Equal("""["waiting"]""", queried.Json.GetProperty("queryResult").GetRawText());

            // Described once the first workflow task is done (nothing changes after that until the signal).
            var request = new DescribeWorkflowExecutionRequest { Namespace = "default", Execution = new() { WorkflowId = id } };
            await Wait.UntilAsync(async () =>
            {
                var grpc = await Client.WorkflowService.DescribeWorkflowExecutionAsync(request);
                var http = (await _http.GetAsync($"{Ns}/workflows/{id}?noPayloadShorthand")).As<DescribeWorkflowExecutionResponse>();
                return (grpc, http);
            }, pair => pair.grpc.PendingWorkflowTask is null && pair.grpc.Equals(pair.http), "the HTTP describe to equal the gRPC one");

            var signalled = await _http.PostAsync($"{Ns}/workflows/{id}/signal/Finish", """{"input":["done over HTTP"],"identity":"curl"}""");
            Assert.Equal("{}", signalled.Body);
            Assert.Equal("done over HTTP", await Client.GetWorkflowHandle(id).GetResultAsync<string>().WithTimeout("the signalled workflow's result"));
        });

        var metrics = await new HttpClient().GetStringAsync($"http://{fixture.Server.MetricsAddress}/metrics");
        Assert.Contains("http_service_requests{namespace=\"default\",operation=\"SignalWorkflowExecution\"", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignalWithStartListTerminate_ThroughHttp_MatchGrpc()
    {
        var id = ServerFixture.NewWorkflowId("http-sws");
        var taskQueue = ServerFixture.NewTaskQueue("http-sws");
        var answer = await _http.PostAsync($"{Ns}/workflows/{id}/signal-with-start/Finish",
            $$"""{"workflowType":{"name":"WaitForFinishWorkflow"},"taskQueue":{"name":"{{taskQueue}}"},"signalInput":["early"]}""");
        Assert.True(answer.Status == System.Net.HttpStatusCode.OK, answer.ToString());
        var handle = Client.GetWorkflowHandle(id);
        Assert.Equal(answer.Json.GetProperty("runId").GetString(), (await handle.DescribeAsync()).RunId);
        var history = await handle.FetchHistoryAsync();
        Assert.Contains(history.Events, e => e.WorkflowExecutionSignaledEventAttributes?.SignalName == "Finish");

        var query = Uri.EscapeDataString($"WorkflowId = '{id}'");
        var listRequest = new ListWorkflowExecutionsRequest { Namespace = "default", Query = $"WorkflowId = '{id}'" };
        await Wait.UntilAsync(async () =>
        {
            var grpc = await Client.WorkflowService.ListWorkflowExecutionsAsync(listRequest);
            var http = (await _http.GetAsync($"{Ns}/workflows?query={query}&noPayloadShorthand")).As<ListWorkflowExecutionsResponse>();
            return (grpc, http);
        }, pair => pair.grpc.Executions.Count == 1 && pair.grpc.Equals(pair.http), "the HTTP list to equal the gRPC one");

        var terminated = await _http.PostAsync($"{Ns}/workflows/{id}/terminate", """{"reason":"stopped over HTTP"}""");
        Assert.Equal("{}", terminated.Body);
        var last = (await handle.FetchHistoryAsync()).Events.Last();
        Assert.Equal("stopped over HTTP", last.WorkflowExecutionTerminatedEventAttributes.Reason);
    }

    [Fact]
    public async Task PayloadShorthand_OnByDefault_OffByQueryOrAccept_PrettyIndents()
    {
        var id = ServerFixture.NewWorkflowId("http-shorthand");
        var started = await _http.PostAsync($"{Ns}/workflows/{id}",
            $$"""{"workflow_type":{"name":"Shorthand"},"task_queue":{"name":"{{ServerFixture.NewTaskQueue()}}"},"input":["hi",{"a":1},null,{"metadata":{"encoding":"YmluYXJ5L3BsYWlu"},"data":"AQI="}],"workflow_id_reuse_policy":"RejectDuplicate"}""");
        Assert.True(started.Status == System.Net.HttpStatusCode.OK, started.ToString());

        // The payloads the shorthand made, as an SDK reads them.
        var grpc = await Client.WorkflowService.GetWorkflowExecutionHistoryAsync(
            new GetWorkflowExecutionHistoryRequest { Namespace = "default", Execution = new() { WorkflowId = id } });
        var attributes = grpc.History.Events[0].WorkflowExecutionStartedEventAttributes;
        Payload[] expected =
        [
            Json("\"hi\""), Json("{\"a\":1}"),
            new() { Metadata = { ["encoding"] = Google.Protobuf.ByteString.CopyFromUtf8("binary/null") } },
            new() { Metadata = { ["encoding"] = Google.Protobuf.ByteString.CopyFromUtf8("binary/plain") }, Data = Google.Protobuf.ByteString.CopyFrom(1, 2) },
        ];
        Assert.Equal(expected, attributes.Input.Payloads_);

        // Out: a shorthand while every payload has one; binary/plain has none, so the standard form for all of them.
        var shorthand = await _http.GetAsync($"{Ns}/workflows/{id}/history");
        var input = StartedAttributes(shorthand).GetProperty("input");
        Assert.Equal(JsonValueKind.Object, input.ValueKind);
        Assert.Equal("\"hi\"", input.GetProperty("payloads")[0].GetRawText());
        Assert.Equal("""{"a":1}""", input.GetProperty("payloads")[1].GetRawText());
        Assert.Equal("AQI=", input.GetProperty("payloads")[3].GetProperty("data").GetString());

        foreach (var off in new[] { $"{Ns}/workflows/{id}/history?noPayloadShorthand", $"{Ns}/workflows/{id}/history" })
        {
            var answer = await _http.GetAsync(off, off.Contains('?', StringComparison.Ordinal) ? null
                : r => r.Headers.TryAddWithoutValidation("Accept", "application/json+no-payload-shorthand"));
            Assert.Equal(grpc, answer.As<GetWorkflowExecutionHistoryResponse>());
        }

        var pretty = await _http.GetAsync($"{Ns}/workflows/{id}?pretty");
        Assert.StartsWith("{\n  \"", pretty.Body.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Namespaces_And_SearchAttributes_ThroughHttp_MatchGrpc()
    {
        var described = await _http.GetAsync($"{Ns}");
        var grpc = await Client.WorkflowService.DescribeNamespaceAsync(new DescribeNamespaceRequest { Namespace = "default" });
        Assert.Equal(grpc, described.As<DescribeNamespaceResponse>());
        Assert.Equal(grpc, (await _http.GetAsync("/cluster/namespaces/default")).As<DescribeNamespaceResponse>());

        var listed = (await _http.GetAsync("/api/v1/namespaces?pageSize=100")).As<ListNamespacesResponse>();
        var grpcList = await Client.WorkflowService.ListNamespacesAsync(new ListNamespacesRequest { PageSize = 100 });
        Assert.Equal(grpcList.Namespaces.Single(n => n.NamespaceInfo.Name == ServerFixture.ExtraNamespace),
            listed.Namespaces.Single(n => n.NamespaceInfo.Name == ServerFixture.ExtraNamespace));

        var attributes = (await _http.GetAsync($"{Ns}/search-attributes")).As<Temporalio.Api.OperatorService.V1.ListSearchAttributesResponse>();
        var grpcAttributes = await Client.OperatorService.ListSearchAttributesAsync(new() { Namespace = "default" });
        Assert.Equal(grpcAttributes.SystemAttributes, attributes.SystemAttributes);
        Assert.Equal(Temporalio.Api.Enums.V1.IndexedValueType.Keyword, attributes.CustomAttributes["CustomerId"]);
        // Temporal gives Add/RemoveSearchAttributes no HTTP rule: the path exists for GET only.
        var add = await _http.PostAsync($"{Ns}/search-attributes", """{"searchAttributes":{"X":"INDEXED_VALUE_TYPE_INT"}}""");
        Assert.Equal((System.Net.HttpStatusCode)501, add.Status);
        Assert.Equal(12, add.Code);
    }

    [Fact]
    public async Task WorkflowOnEachReplicasShard_StartDescribeTerminate_ThroughTheFirstReplica()
    {
        // On a cluster (TEMPORA_TEST_REPLICAS=2) the HTTP port is the first replica's: calls for the other's shards are forwarded.
        var namespaceId = (await Client.WorkflowService.DescribeNamespaceAsync(new DescribeNamespaceRequest { Namespace = "default" })).NamespaceInfo.Id;
        foreach (var server in fixture.AllServers)
        {
            var id = ReplicaTests.WorkflowIdOnShards(namespaceId, server.OwnedShards, "http-shard");
            var started = await _http.PostAsync($"{Ns}/workflows/{id}",
                $$$"""{"workflowType":{"name":"OnShard"},"taskQueue":{"name":"{{{ServerFixture.NewTaskQueue()}}}"}}""");
            Assert.True(started.Status == System.Net.HttpStatusCode.OK, started.ToString());
            var described = (await _http.GetAsync($"{Ns}/workflows/{id}")).As<DescribeWorkflowExecutionResponse>();
            Assert.Equal(started.Json.GetProperty("runId").GetString(), described.WorkflowExecutionInfo.Execution.RunId);
            Assert.Equal("{}", (await _http.PostAsync($"{Ns}/workflows/{id}/terminate", "{}")).Body);
            Assert.Equal(Temporalio.Api.Enums.V1.WorkflowExecutionStatus.Terminated,
                (await Client.WorkflowService.DescribeWorkflowExecutionAsync(new() { Namespace = "default", Execution = new() { WorkflowId = id } }))
                    .WorkflowExecutionInfo.Status);
        }
    }

    private static Payload Json(string json) => new()
    {
        Metadata = { ["encoding"] = Google.Protobuf.ByteString.CopyFromUtf8("json/plain") },
        Data = Google.Protobuf.ByteString.CopyFromUtf8(json),
    };

    private static JsonElement StartedAttributes(HttpAnswer history) =>
        history.Json.GetProperty("history").GetProperty("events")[0].GetProperty("workflowExecutionStartedEventAttributes");
}
