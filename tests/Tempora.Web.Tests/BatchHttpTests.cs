using System.Net;
using Temporalio.Api.Enums.V1;

namespace Tempora.Web.Tests;

/// <summary>The batch form's refusals as plain HTTP: each answers a 4xx page and changes nothing.</summary>
[Collection(UiCollection.Name)]
public sealed class BatchHttpTests(UiServerFixture fixture) : IDisposable
{
    private readonly HttpClient _http = new(new HttpClientHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task ConfirmedBatch_PostedFromAnotherSite_Answers403AndChangesNothing()
    {
        var handle = await fixture.Client.StartWorkflowAsync((AwaitSignalWorkflow wf) => wf.RunAsync(), new($"cross-site-{Guid.NewGuid():N}", fixture.TaskQueue));

        var response = await PostAsync("https://attacker.example", ("confirmed", "1"), ("operation", "terminate"), ("scope", "selected"),
            ("execution", $"{handle.ResultRunId}:{handle.Id}"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(WorkflowExecutionStatus.Running, (await handle.DescribeAsync()).Status);
        await handle.TerminateAsync("test done");
    }

    [Fact]
    public async Task UnknownOperation_Answers400NamingIt()
    {
        var response = await PostAsync(null, ("operation", "delete"), ("scope", "all"), ("filterQuery", "WorkflowType = 'x'"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("There is no batch operation &#x27;delete&#x27;", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResetAllOfTheNamespace_WithoutAQuery_IsRefused()
    {
        var response = await PostAsync(null, ("operation", "reset"), ("scope", "all"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Narrow the list with a query first", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownBatch_PageAndStop_Answer404()
    {
        var jobId = $"no-such-batch-{Guid.NewGuid():N}";

        var page = await _http.GetAsync(new Uri(fixture.UiBase, $"/namespaces/default/batch-operations/{jobId}"));
        var stop = await PostAsync(null, $"/namespaces/default/batch-operations/{jobId}/stop", ("reason", "test"));

        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, stop.StatusCode);
        Assert.Contains("role=\"alert\"", await stop.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    public void Dispose() => _http.Dispose();

    private Task<HttpResponseMessage> PostAsync(string? origin, params (string Name, string Value)[] fields) =>
        PostAsync(origin, "/namespaces/default/batch-operations", fields);

    private async Task<HttpResponseMessage> PostAsync(string? origin, string path, params (string Name, string Value)[] fields)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(fixture.UiBase, path))
        {
            Content = await UiForms.FormAsync(_http, fixture, fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))),
        };
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }
        return await _http.SendAsync(request);
    }
}
