using System.Net;
using System.Text;
using Microsoft.Playwright;
using Temporalio.Api.Enums.V1;

namespace Tempora.Web.Tests;

/// <summary>The actions read small HTML forms: a bigger or malformed body is refused with a 4xx, never a 500, and changes nothing.</summary>
[Collection(UiCollection.Name)]
public sealed class BodyLimitTests(UiServerFixture fixture) : IDisposable
{
    private const int TwoMiB = 2 * 1024 * 1024;

    private readonly HttpClient _http = new(new HttpClientHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(60) };

    [Fact]
    public async Task Signal_TwoMiBFormFromChromium_Answers413AndSendsNothing()
    {
        var handle = await StartAsync("limit-browser");
        var page = await fixture.NewPageAsync();
        await page.GotoAsync(RunPath(handle.Id, handle.ResultRunId!));

        var status = await page.EvaluateAsync<int>("""
            async ([path, size]) => (await fetch(path, {
                method: 'POST',
                body: new URLSearchParams({ name: 'Finish', input: JSON.stringify('x'.repeat(size)) }),
            })).status
            """, new object[] { ActionPath(handle.Id, handle.ResultRunId!, "signal"), TwoMiB });

        Assert.Equal(413, status);
        await AssertNotSignalledAsync(handle);
    }

    [Fact]
    public async Task Signal_TwoMiBForm_Answers413Page()
    {
        var handle = await StartAsync("limit-http");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(fixture.UiBase, ActionPath(handle.Id, handle.ResultRunId!, "signal")))
        {
            Content = new FormUrlEncodedContent([new("name", "Finish"), new("input", $"\"{new string('x', TwoMiB)}\"")]),
        };

        using var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("1024 KiB", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await AssertNotSignalledAsync(handle);
    }

    [Fact]
    public async Task Signal_TooManyFields_Answers413()
    {
        var handle = await StartAsync("limit-fields");
        var fields = Enumerable.Range(0, 5000).Select(i => new KeyValuePair<string, string>($"f{i}", "1"))
            .Prepend(new("input", "\"fields\"")).Prepend(new("name", "Finish"));
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(fixture.UiBase, ActionPath(handle.Id, handle.ResultRunId!, "signal")))
        {
            Content = new FormUrlEncodedContent(fields),
        };

        using var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        await AssertNotSignalledAsync(handle);
    }

    [Fact]
    public async Task Signal_JsonBody_Answers415()
    {
        var handle = await StartAsync("limit-json");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(fixture.UiBase, ActionPath(handle.Id, handle.ResultRunId!, "signal")))
        {
            Content = new StringContent("{\"name\":\"Finish\",\"input\":\"\\\"json\\\"\"}", Encoding.UTF8, "application/json"),
        };

        using var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        await AssertNotSignalledAsync(handle);
    }

    public void Dispose() => _http.Dispose();

    private async Task<Temporalio.Client.WorkflowHandle<AwaitSignalWorkflow>> StartAsync(string prefix) =>
        await fixture.Client.StartWorkflowAsync((AwaitSignalWorkflow wf) => wf.RunAsync(), new($"{prefix}-{Guid.NewGuid():N}", fixture.TaskQueue));

    private static async Task AssertNotSignalledAsync(Temporalio.Client.WorkflowHandle<AwaitSignalWorkflow> handle)
    {
        var history = await handle.FetchHistoryAsync();
        Assert.DoesNotContain(history.Events, e => e.EventType == EventType.WorkflowExecutionSignaled);
        Assert.Equal(WorkflowExecutionStatus.Running, (await handle.DescribeAsync()).Status);
        await handle.TerminateAsync("test done");
    }

    private static string RunPath(string workflowId, string runId) =>
        $"/namespaces/default/workflows/{Uri.EscapeDataString(workflowId)}/{Uri.EscapeDataString(runId)}/history";

    private static string ActionPath(string workflowId, string runId, string action) =>
        $"/namespaces/default/workflows/{Uri.EscapeDataString(workflowId)}/{Uri.EscapeDataString(runId)}/{action}";
}
