using System.Net;
using Microsoft.Playwright;
using Temporalio.Exceptions;
using static Microsoft.Playwright.Assertions;

namespace Tempora.Web.Tests;

/// <summary>
/// Every answer of the UI port carries the Content-Security-Policy and the framing, sniffing and referrer headers,
/// and no page (with its script running) trips the policy in Chromium.
/// </summary>
[Collection(UiCollection.Name)]
public sealed class SecurityHeaderTests(UiServerFixture fixture) : IDisposable
{
    /// <summary>Reports each violation as a console error the test collects (Chromium also logs its own "Refused to …").</summary>
    private const string ViolationListener =
        "document.addEventListener('securitypolicyviolation', e => console.error('Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI));";

    private readonly HttpClient _http = new(new HttpClientHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task Pages_InChromium_CarryHeadersAndTripNoPolicy()
    {
        var completed = await fixture.Client.StartWorkflowAsync((JourneyWorkflow wf) => wf.RunAsync("csp"), new($"csp-journey-{Guid.NewGuid():N}", fixture.TaskQueue));
        await completed.SignalAsync(wf => wf.GoAsync());
        await completed.GetResultAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var failed = await fixture.Client.StartWorkflowAsync((FailingWorkflow wf) => wf.RunAsync(), new($"csp-failing-{Guid.NewGuid():N}", fixture.TaskQueue));
        await Assert.ThrowsAsync<WorkflowFailedException>(() => failed.GetResultAsync().WaitAsync(TimeSpan.FromSeconds(30)));
        var running = await fixture.Client.StartWorkflowAsync((AwaitSignalWorkflow wf) => wf.RunAsync(), new($"csp-running-{Guid.NewGuid():N}", fixture.TaskQueue));
        var page = await fixture.NewPageAsync();
        var violations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && (message.Text.Contains("Content Security Policy", StringComparison.Ordinal) || message.Text.StartsWith("Refused to", StringComparison.Ordinal)))
            {
                violations.Add($"{page.Url}: {message.Text}");
            }
        };
        await page.AddInitScriptAsync(ViolationListener);

        string[] paths =
        [
            "/namespaces/default/workflows",
            $"/namespaces/default/workflows?query={Uri.EscapeDataString("WorkflowType = 'JourneyWorkflow'")}&status=Completed",
            RunPath(completed.Id, completed.ResultRunId!),
            RunPath(failed.Id, failed.ResultRunId!),
            RunPath(running.Id, running.ResultRunId!),
            "/namespaces",
            "/namespaces/default",
            $"/namespaces/default/task-queues/{fixture.TaskQueue}",
            "/namespaces/default/batch-operations",
            "/no/such/page",
        ];
        foreach (var path in paths)
        {
            var response = await page.GotoAsync(path) ?? throw new InvalidOperationException($"no response for {path}");
            AssertSecurityHeaders(path, await response.AllHeadersAsync());
        }
        // The completed run's page with its script at work: timeline bars, every event expanded, a query posted.
        await page.GotoAsync(RunPath(completed.Id, completed.ResultRunId!));
        await Expect(page.Locator(".timeline .tl-bar")).ToHaveCountAsync(3);
        var track = await page.Locator(".timeline .tl-track").First.BoundingBoxAsync();
        Assert.True(track is { Width: > 50, Height: > 5 }, $"the timeline track is not laid out: {track?.Width}x{track?.Height}");
        await page.GotoAsync(RunPath(running.Id, running.ResultRunId!));
        await page.FillAsync("form[action$='/query'] input[name=name]", "State");
        var queryAnswer = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("form[action$='/query'] button[type=submit]"),
            r => r.Request.Method == "POST" && r.Url.EndsWith("/query", StringComparison.Ordinal));
        AssertSecurityHeaders("query result", await queryAnswer!.AllHeadersAsync());
        await Expect(page.Locator(".query-result")).ToContainTextAsync("waiting for Finish");
        // A batch's confirmation, from a row ticked by the list's script.
        await page.GotoAsync($"/namespaces/default/workflows?query={Uri.EscapeDataString($"WorkflowId = '{running.Id}'")}");
        await page.CheckAsync("input[data-select-all]");
        var confirmation = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("form.batch-bar button[value=cancel]"),
            r => r.Request.Method == "POST" && r.Url.EndsWith("/batch-operations", StringComparison.Ordinal));
        AssertSecurityHeaders("batch confirmation", await confirmation!.AllHeadersAsync());
        await Expect(page.Locator(".batch-count")).ToContainTextAsync("1 selected workflow:");

        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
        await running.TerminateAsync("test done");
    }

    [Theory]
    [InlineData("/_ui/site.css")]
    [InlineData("/_ui/site.js")]
    [InlineData("/_ui/no-such-asset")]
    [InlineData("/")]
    [InlineData("/no/such/page")]
    [InlineData("/namespaces/no-such-namespace/workflows")]
    public async Task AssetsRedirectsAndErrors_CarryHeaders(string path)
    {
        using var response = await _http.GetAsync(new Uri(fixture.UiBase, path));

        AssertSecurityHeaders(path, response.Headers.Concat(response.Content.Headers)
            .ToDictionary(h => h.Key.ToLowerInvariant(), h => string.Join(", ", h.Value)));
    }

    [Fact]
    public async Task ActionAnswers_CarryHeaders()
    {
        var handle = await fixture.Client.StartWorkflowAsync((AwaitSignalWorkflow wf) => wf.RunAsync(), new($"csp-action-{Guid.NewGuid():N}", fixture.TaskQueue));
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(fixture.UiBase, RunPath(handle.Id, handle.ResultRunId!).Replace("/history", "/signal", StringComparison.Ordinal)))
        {
            Content = await UiForms.FormAsync(_http, fixture, [new("name", "Finish"), new("input", "\"headers\"")]),
        };

        using var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        AssertSecurityHeaders("signal", response.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => string.Join(", ", h.Value)));
        Assert.Equal("headers", await handle.GetResultAsync().WaitAsync(TimeSpan.FromSeconds(30)));
    }

    public void Dispose() => _http.Dispose();

    internal static void AssertSecurityHeaders(string what, IReadOnlyDictionary<string, string> headers)
    {
        Assert.True(headers.TryGetValue("content-security-policy", out var csp), $"{what}: no Content-Security-Policy");
        var directives = csp!.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("default-src 'self'", directives);
        Assert.Contains("frame-ancestors 'none'", directives);
        Assert.DoesNotContain(directives, d => d.Contains("unsafe-inline", StringComparison.Ordinal) || d.Contains("unsafe-eval", StringComparison.Ordinal));
        Assert.Equal("DENY", headers.GetValueOrDefault("x-frame-options"));
        Assert.Equal("nosniff", headers.GetValueOrDefault("x-content-type-options"));
        Assert.Contains(headers.GetValueOrDefault("referrer-policy"), new[] { "same-origin", "no-referrer" });
    }

    private static string RunPath(string workflowId, string runId) =>
        $"/namespaces/default/workflows/{Uri.EscapeDataString(workflowId)}/{Uri.EscapeDataString(runId)}/history";
}
