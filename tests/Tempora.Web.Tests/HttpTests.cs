using System.Net;
using Google.Protobuf;
using Temporalio.Api.Enums.V1;

namespace Tempora.Web.Tests;

/// <summary>The UI's answers as plain HTTP: status codes, error pages, encoding, the JSON download, port separation.</summary>
[Collection(UiCollection.Name)]
public sealed class HttpTests(UiServerFixture fixture) : IDisposable
{
    private readonly HttpClient _http = new(new HttpClientHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task WorkflowList_BadQuery_ShowsParserMessageWith400()
    {
        var response = await GetAsync("/namespaces/default/workflows?query=" + Uri.EscapeDataString("WorkflowType = "));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("class=\"error\"", body, StringComparison.Ordinal);
        Assert.Contains("invalid query", body, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("<form class=\"filter\"", body, StringComparison.Ordinal); // the user can fix the query in place
    }

    [Fact]
    public async Task WorkflowDetail_UnknownWorkflow_Returns404Page()
    {
        var response = await GetAsync($"/namespaces/default/workflows/no-such-workflow/{Guid.NewGuid()}/history");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("role=\"alert\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownPath_Returns404Page()
    {
        var response = await GetAsync("/no/such/page");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("There is no page at /no/such/page", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HistoryJson_CompletedRun_ParsesAsTemporalHistory()
    {
        var workflowId = $"json-{Guid.NewGuid():N}";
        var handle = await fixture.Client.StartWorkflowAsync((GreetingWorkflow wf) => wf.RunAsync("json"), new(workflowId, fixture.TaskQueue));
        await handle.GetResultAsync().WaitAsync(TimeSpan.FromSeconds(30));

        var response = await GetAsync($"/namespaces/default/workflows/{workflowId}/{handle.ResultRunId}/history/json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        var history = JsonParser.Default.Parse<Temporalio.Api.History.V1.History>(await response.Content.ReadAsStringAsync());
        Assert.Equal(EventType.WorkflowExecutionStarted, history.Events[0].EventType);
        Assert.Equal(EventType.WorkflowExecutionCompleted, history.Events[^1].EventType);
        Assert.Equal(Enumerable.Range(1, history.Events.Count).Select(i => (long)i), history.Events.Select(e => e.EventId));
    }

    [Fact]
    public async Task WorkflowList_IdWithMarkup_IsEncodedNotInjected()
    {
        var workflowId = $"<script>alert('x')</script>-{Guid.NewGuid():N}";
        var handle = await fixture.Client.StartWorkflowAsync((GreetingWorkflow wf) => wf.RunAsync("<img src=x onerror=alert(1)>"), new(workflowId, fixture.TaskQueue));
        await handle.GetResultAsync().WaitAsync(TimeSpan.FromSeconds(30));

        var list = await (await GetAsync("/namespaces/default/workflows")).Content.ReadAsStringAsync();
        var detail = await GetAsync($"/namespaces/default/workflows/{Uri.EscapeDataString(workflowId)}/{handle.ResultRunId}/history");
        var detailBody = await detail.Content.ReadAsStringAsync();

        Assert.Contains("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;", list, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>alert", list, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, detail.StatusCode);
        Assert.DoesNotContain("<script>alert", detailBody, StringComparison.Ordinal);
        Assert.DoesNotContain("<img src=x", detailBody, StringComparison.Ordinal);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", detailBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Terminate_PostedFromAnotherOrigin_IsRefused()
    {
        var handle = await fixture.Client.StartWorkflowAsync((AwaitSignalWorkflow wf) => wf.RunAsync(), new($"csrf-{Guid.NewGuid():N}", fixture.TaskQueue));
        using var request = new HttpRequestMessage(HttpMethod.Post,
            new Uri(fixture.UiBase, $"/namespaces/default/workflows/{handle.Id}/{handle.ResultRunId}/terminate"))
        {
            Content = new FormUrlEncodedContent([new("reason", "from elsewhere")]),
        };
        request.Headers.Add("Origin", "http://attacker.example");

        var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(WorkflowExecutionStatus.Running, (await handle.DescribeAsync()).Status);
        await handle.TerminateAsync("test done");
    }

    [Fact]
    public async Task Terminate_WithoutAntiforgeryToken_IsRefusedAndChangesNothing()
    {
        var handle = await fixture.Client.StartWorkflowAsync((AwaitSignalWorkflow wf) => wf.RunAsync(), new($"no-token-{Guid.NewGuid():N}", fixture.TaskQueue));
        var path = $"/namespaces/default/workflows/{handle.Id}/{handle.ResultRunId}/terminate";
        var token = await UiForms.TokenAsync(_http, fixture);

        // Same origin (no Origin header, as a script sends it), but no token; then a token this client's cookie does not match.
        using var bare = await _http.PostAsync(new Uri(fixture.UiBase, path), new FormUrlEncodedContent([new("reason", "no token")]));
        using var other = new HttpClient();
        using var foreign = await other.PostAsync(new Uri(fixture.UiBase, path), new FormUrlEncodedContent([new("reason", "foreign token"), token]));

        Assert.Equal(HttpStatusCode.BadRequest, bare.StatusCode);
        Assert.Contains("antiforgery token", await bare.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, foreign.StatusCode);
        Assert.Equal(WorkflowExecutionStatus.Running, (await handle.DescribeAsync()).Status);
        using var valid = await _http.PostAsync(new Uri(fixture.UiBase, path), new FormUrlEncodedContent([new("reason", "with token"), token]));
        Assert.Equal(HttpStatusCode.Redirect, valid.StatusCode);
        Assert.Equal(WorkflowExecutionStatus.Terminated, (await handle.DescribeAsync()).Status);
    }

    [Fact]
    public async Task Actions_GetRequest_DoesNotChangeTheRun()
    {
        var handle = await fixture.Client.StartWorkflowAsync((AwaitSignalWorkflow wf) => wf.RunAsync(), new($"get-{Guid.NewGuid():N}", fixture.TaskQueue));

        var response = await GetAsync($"/namespaces/default/workflows/{handle.Id}/{handle.ResultRunId}/terminate");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(WorkflowExecutionStatus.Running, (await handle.DescribeAsync()).Status);
        await handle.TerminateAsync("test done");
    }

    [Fact]
    public async Task UiRoutes_AnswerOnTheUiPortOnly()
    {
        var onMetricsPort = await _http.GetAsync(new Uri($"http://{fixture.Server.MetricsAddress}/namespaces/default/workflows"));
        var metricsOnUiPort = await GetAsync("/metrics");
        var healthOnMetricsPort = await _http.GetAsync(new Uri($"http://{fixture.Server.MetricsAddress}/health/live"));

        Assert.Equal(HttpStatusCode.NotFound, onMetricsPort.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, metricsOnUiPort.StatusCode);
        Assert.Equal(HttpStatusCode.OK, healthOnMetricsPort.StatusCode);
    }

    [Fact]
    public async Task NamespacePage_ShowsRetentionAndSearchAttributes()
    {
        var response = await GetAsync("/namespaces/default");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("Retention", body, StringComparison.Ordinal);
        Assert.Contains("ExecutionStatus", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Root_RedirectsToDefaultNamespaceList()
    {
        var response = await GetAsync("/");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/namespaces/default/workflows", response.Headers.Location?.ToString());
    }

    public void Dispose() => _http.Dispose();

    private Task<HttpResponseMessage> GetAsync(string path) => _http.GetAsync(new Uri(fixture.UiBase, path));
}
