using System.Net;
using Microsoft.Extensions.Logging;
using Tempora.Server;
using Tempora.Web.Security;
using Temporalio.Api.Enums.V1;

namespace Tempora.Web.Tests;

/// <summary>
/// The UI answers only to host names that are its own, which defeats DNS rebinding: a page of an attacker's domain
/// that resolves to this server sends Host and Origin both naming the attacker's domain.
/// </summary>
[Collection(UiCollection.Name)]
public sealed class HostAllowListTests(UiServerFixture fixture) : IDisposable
{
    private const string AttackerHost = "attacker.example";

    private readonly HttpClient _http = new(new HttpClientHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task DnsRebinding_AttackerDomainResolvedToServer_PageAndActionRefused()
    {
        var handle = await fixture.Client.StartWorkflowAsync((AwaitSignalWorkflow wf) => wf.RunAsync(), new($"rebind-{Guid.NewGuid():N}", fixture.TaskQueue));
        // The rebinding done: Chromium resolves the attacker's name to this server, as its DNS would after the switch.
        await using var browser = await fixture.LaunchBrowserAsync($"--host-resolver-rules=MAP {AttackerHost} 127.0.0.1");
        var page = await browser.NewPageAsync();
        var attackerBase = $"http://{AttackerHost}:{fixture.UiBase.Port}";

        var response = await page.GotoAsync($"{attackerBase}/namespaces/default/workflows");
        // The attacker's script, running on its own origin, posts the terminate form: Host and Origin agree.
        var actionStatus = await page.EvaluateAsync<int>("""
            async path => (await fetch(path, { method: 'POST', body: new URLSearchParams({ reason: 'rebound' }) })).status
            """, $"/namespaces/default/workflows/{handle.Id}/{handle.ResultRunId}/terminate");

        Assert.Equal(400, response!.Status);
        Assert.Contains(AttackerHost, await response.TextAsync(), StringComparison.Ordinal);
        Assert.Equal(400, actionStatus);
        Assert.Equal(WorkflowExecutionStatus.Running, (await handle.DescribeAsync()).Status);
        await handle.TerminateAsync("test done");
    }

    [Theory]
    [InlineData(AttackerHost)]
    [InlineData("127.0.0.1.attacker.example")]
    [InlineData("localhost.attacker.example")]
    [InlineData("127.1")]
    public async Task ForeignHost_Answers400(string host)
    {
        using var response = await GetAsync(fixture.UiBase, "/namespaces/default/workflows", $"{host}:{fixture.UiBase.Port}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("--ui-allowed-hosts", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    [InlineData("LOCALHOST.")]
    [InlineData("ui.localhost")]
    [InlineData("[::1]")]
    [InlineData("192.168.1.240")]
    public async Task LoopbackNameOrIpLiteral_IsAnswered(string host)
    {
        using var response = await GetAsync(fixture.UiBase, "/namespaces/default/workflows", $"{host}:{fixture.UiBase.Port}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task MachineName_IsAnswered()
    {
        using var response = await GetAsync(fixture.UiBase, "/namespaces/default/workflows", Dns.GetHostName());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ConfiguredHosts_IngressNameAndSubdomains_AreAnswered()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"tempora-web-hosts-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        var server = await TemporaServer.StartAsync(
            new TemporaOptions
            {
                Ip = "127.0.0.1",
                Port = 0,
                UiPort = 0,
                MetricsPort = 0,
                DbFilename = Path.Combine(dir, "tempora.db"),
                LogLevel = LogLevel.Warning,
                UiAllowedHosts = ["temporal.homelab.local", "*.apps.example.test"],
            },
            logging => logging.ClearProviders());
        try
        {
            var ui = new Uri($"http://{server.UiAddress}");

            using var ingress = await GetAsync(ui, "/namespaces", "temporal.homelab.local");
            using var subdomain = await GetAsync(ui, "/namespaces", "tempora.apps.example.test:443");
            using var parent = await GetAsync(ui, "/namespaces", "apps.example.test");
            using var other = await GetAsync(ui, "/namespaces", "temporal.homelab.local.example.test");

            Assert.Equal(HttpStatusCode.OK, ingress.StatusCode);
            Assert.Equal(HttpStatusCode.OK, subdomain.StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, parent.StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, other.StatusCode);
        }
        finally
        {
            await server.DisposeAsync();
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("http://temporal.example.test")]
    [InlineData("temporal.example.test:8080")]
    [InlineData("temporal.example.test/ui")]
    [InlineData(" ")]
    [InlineData("*example.test")]
    public void Problem_NotAHostName_Explains(string entry)
    {
        Assert.Contains("is not a host name", UiHostAllowList.Problem(entry), StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new UiHostAllowList([entry], null));
    }

    [Theory]
    [InlineData("temporal.example.test")]
    [InlineData("*.example.test")]
    [InlineData("*")]
    [InlineData("my_host")]
    public void Problem_HostName_IsNone(string entry) => Assert.Null(UiHostAllowList.Problem(entry));

    public void Dispose() => _http.Dispose();

    private async Task<HttpResponseMessage> GetAsync(Uri ui, string path, string host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(ui, path));
        request.Headers.Host = host;
        return await _http.SendAsync(request);
    }
}
