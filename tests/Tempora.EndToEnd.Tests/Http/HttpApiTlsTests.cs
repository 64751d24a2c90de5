using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Tempora.EndToEnd.Tests.Security;

namespace Tempora.EndToEnd.Tests.Http;

/// <summary>
/// The HTTP API port takes the gRPC port's TLS: its certificate and its client-certificate rule (Temporal's HTTP API
/// server wraps its listener in the frontend's server TLS config). Certificates are made by the test.
/// </summary>
public sealed class HttpApiTlsTests
{
    [Fact]
    public async Task Mtls_ClientWithCertificate_Answered_OverHttp1AndHttp2_WithoutCertificateOrPlaintextRefused()
    {
        await using var tls = await TlsTestServer.StartAsync("http-mtls", t => new Server.TlsOptions { Frontend = t.FrontendSettings(requireClientAuth: true) },
            configure: o => o with { HttpPort = 0 });
        var address = tls.Server.HttpAddress!;

        using var withCertificate = HttpApi.For(address, Handler(tls, tls.ClientLeaf), "https");
        var answer = await withCertificate.GetAsync("/api/v1/namespaces/default");
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("default", answer.Json.GetProperty("namespaceInfo").GetProperty("name").GetString());
        using var http2 = new HttpRequestMessage(HttpMethod.Get, "/api/v1/system-info") { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        Assert.Equal(HttpStatusCode.OK, (await withCertificate.SendAsync(http2)).Status);

        using var withoutCertificate = HttpApi.For(address, Handler(tls, null), "https");
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => withoutCertificate.GetAsync("/api/v1/namespaces/default"));
        using var plaintext = HttpApi.For(address);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => plaintext.GetAsync("/api/v1/namespaces/default"));
    }

    /// <summary>Trusts the test's server CA only, and presents <paramref name="client"/> when given.</summary>
    private static SocketsHttpHandler Handler(TlsTestServer tls, TestLeaf? client)
    {
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            {
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(tls.ServerCa.Certificate);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return certificate is X509Certificate2 leaf && chain.Build(leaf);
            },
        };
        if (client is not null)
        {
            options.ClientCertificates = [client.Certificate];
        }
        return new SocketsHttpHandler { SslOptions = options };
    }
}
