using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Tempora.Cli;
using Tempora.Core.Tls;
using Temporalio.Client;

namespace Tempora.EndToEnd.Tests.Security;

/// <summary>
/// The web UI and the metrics/health listener over https, the UI still reading workflows (through the frontend's
/// private Unix socket) while the gRPC port requires client certificates, and `tempora health` against https.
/// </summary>
public sealed class TlsListenerTests
{
    [Fact]
    public async Task UiAndMetricsOverHttps_UiListsWorkflowsWhileGrpcRequiresMtls()
    {
        await using var tls = await TlsTestServer.StartAsync("tls-listeners", t => new Server.TlsOptions
        {
            Frontend = t.FrontendSettings(requireClientAuth: true),
            Ui = Listener(t, "tls:ui", requireClientAuth: false),
            Metrics = Listener(t, "tls:metrics", requireClientAuth: false),
        }, headless: false);
        var client = await tls.ConnectAsync(tls.ClientLeaf);
        var workflowId = ServerFixture.NewWorkflowId("tls-ui");
        await client.StartWorkflowAsync((WaitForeverWorkflow w) => w.RunAsync(), new WorkflowOptions(workflowId, ServerFixture.NewTaskQueue()));
        using var http = Https(tls.ServerCa.Certificate);

        using var ready = await http.GetAsync(new Uri($"https://{tls.Server.MetricsAddress}/health/ready"));
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        using var metrics = await http.GetAsync(new Uri($"https://{tls.Server.MetricsAddress}/metrics"));
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        var page = await http.GetStringAsync(new Uri($"https://{tls.Server.UiAddress}/namespaces/default/workflows"));
        Assert.Contains(workflowId, page, StringComparison.Ordinal);

        using var plain = new HttpClient();
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => plain.GetAsync(new Uri($"http://{tls.Server.MetricsAddress}/health/ready")));
    }

    [Fact]
    public async Task MetricsRequiringClientCertificates_RefusesOthers_HealthCommandChecksOverHttps()
    {
        await using var tls = await TlsTestServer.StartAsync("tls-metrics", t => new Server.TlsOptions
        {
            Metrics = Listener(t, "tls:metrics", requireClientAuth: true),
        });

        Assert.True(await TlsProbe.AcceptsAsync(tls.Server.MetricsAddress, tls.ClientLeaf.Certificate));
        Assert.False(await TlsProbe.AcceptsAsync(tls.Server.MetricsAddress, null));
        using var otherCa = new TestCa("Someone else's CA");
        using var foreign = otherCa.Issue("tempora-test-client");
        Assert.False(await TlsProbe.AcceptsAsync(tls.Server.MetricsAddress, foreign.Certificate));

        var (clientCert, clientKey) = tls.ClientLeaf.WriteTo(tls.Directory, "client-");
        var port = tls.Server.MetricsPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string[] target = ["health", "--host", "127.0.0.1", "--port", port];
        Assert.Equal(0, await HealthAsync([.. target, "--tls-ca", tls.ServerCaFile, "--tls-cert", clientCert, "--tls-key", clientKey]));
        Assert.Equal(0, await HealthAsync([.. target, "--tls", "--tls-cert", clientCert, "--tls-key", clientKey]));
        Assert.Equal(1, await HealthAsync([.. target, "--tls-ca", tls.ClientCaFile, "--tls-cert", clientCert, "--tls-key", clientKey]));
        Assert.Equal(1, await HealthAsync([.. target, "--tls-ca", tls.ServerCaFile]));
    }

    private static TlsServerSettings Listener(TlsTestServer t, string prefix, bool requireClientAuth) => new(
        PemSource.FromFile($"{prefix}:certFile", t.CertFile),
        PemSource.FromFile($"{prefix}:keyFile", t.KeyFile),
        requireClientAuth,
        requireClientAuth ? [PemSource.FromFile($"{prefix}:clientCaFiles:0", t.ClientCaFile)] : []);

    private static HttpClient Https(X509Certificate2 ca) => new(new SocketsHttpHandler
    {
        SslOptions = new SslClientAuthenticationOptions
        {
            CertificateChainPolicy = CertificateSet.TrustPolicy([ca]),
        },
    })
    { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>`tempora health` in this process.</summary>
    private static Task<int> HealthAsync(string[] args) => new System.CommandLine.RootCommand { new HealthCommand() }.Parse(args).InvokeAsync();
}
