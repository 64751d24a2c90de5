using Microsoft.Extensions.Logging.Abstractions;
using Tempora.Cluster.Peers;
using Tempora.Core.Tls;
using Tempora.Server;

namespace Tempora.EndToEnd.Tests.Security;

/// <summary>
/// One gRPC port for SDKs and replicas: the internode certificate for a client whose SNI is the internode server
/// name, the frontend's for everyone else; internode certificates are told from SDK client certificates; and two
/// replicas on PostgreSQL forward requests and fan out polls to each other over mutual TLS.
/// </summary>
public sealed class InternodeTlsTests
{
    private const string InternodeName = "internode.tempora.test";

    [Fact]
    public async Task SniOfInternodeServerName_GetsInternodeCertificate_OthersTheFrontends()
    {
        using var internodeCa = new TestCa("Tempora test internode CA");
        using var internodeLeaf = internodeCa.Issue(InternodeName);
        await using var tls = await TlsTestServer.StartAsync("tls-sni", t => WithInternode(t, internodeCa, internodeLeaf));

        Assert.Equal(internodeLeaf.SerialNumber, (await TlsProbe.ServerCertificateAsync(tls.Server.GrpcAddress, InternodeName)).SerialNumber);
        Assert.Equal(tls.ServerLeaf.SerialNumber, (await TlsProbe.ServerCertificateAsync(tls.Server.GrpcAddress, "localhost")).SerialNumber);
        // A replica's certificate is a client certificate the port accepts, beside the SDK clients' CA.
        Assert.Equal(tls.ServerLeaf.SerialNumber,
            (await TlsProbe.ServerCertificateAsync(tls.Server.GrpcAddress, "localhost", internodeLeaf.Certificate)).SerialNumber);
    }

    [Fact]
    public void InternodeTrust_AcceptsInternodeCertificatesOnly()
    {
        using var internodeCa = new TestCa("Tempora test internode CA");
        using var clientCa = new TestCa("Tempora test client CA");
        using var internodeLeaf = internodeCa.Issue(InternodeName);
        using var sdkLeaf = clientCa.Issue("sdk-client");
        using var reloader = new CertificateReloader("internode", PemSource.FromData("certData", internodeLeaf.CertificatePem),
            PemSource.FromData("keyData", internodeLeaf.KeyPem), [PemSource.FromData("clientCaData:0", internodeCa.Pem)], TimeSpan.Zero,
            NullLogger.Instance);
        var trust = new InternodeTrust(reloader);

        Assert.True(trust.IsConfigured);
        Assert.True(trust.IsInternodeCertificate(internodeLeaf.Certificate));
        Assert.False(trust.IsInternodeCertificate(sdkLeaf.Certificate));
        Assert.False(trust.IsInternodeCertificate(null));
        Assert.False(InternodeTrust.None.IsInternodeCertificate(internodeLeaf.Certificate));
    }

    [Fact]
    public async Task TwoReplicasOverMutualTls_ForwardAndFanOut_WorkflowsComplete()
    {
        using var internodeCa = new TestCa("Tempora test internode CA");
        using var internodeLeaf = internodeCa.Issue(InternodeName);
        // Both replicas on one PostgreSQL database, whatever the pass: peers exist only there.
        var database = new TestDatabase("tls-cluster", postgres: true);
        await using var first = await TlsTestServer.StartAsync("tls-cluster", t => WithInternode(t, internodeCa, internodeLeaf, requireClientAuth: true),
            database: database);
        var second = await ServerFixture.StartServerAsync(database.Apply(new TemporaOptions
        {
            Ip = "127.0.0.1",
            Port = 0,
            MetricsPort = 0,
            Headless = true,
            Tls = WithInternode(first, internodeCa, internodeLeaf, requireClientAuth: true),
        }), "tls-cluster-replica");
        try
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (first.Server.OwnedShards.Count == 0 || second.OwnedShards.Count == 0)
            {
                Assert.True(DateTime.UtcNow < deadline, "the replicas did not split the shards within 30 s");
                await Task.Delay(100);
            }
            var client = await first.ConnectAsync(first.ClientLeaf);
            // Workflow ids hash onto every shard, so some runs live on the second replica: their starts, the worker's
            // polls and completions cross between the replicas, over TLS with the internode certificate.
            var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => TlsSdkTests.RunHelloAsync(client, $"replica {i}")));
            Assert.Equal(Enumerable.Range(0, 8).Select(i => $"Hello, replica {i}!"), results);
        }
        finally
        {
            await ServerFixture.StopAsync(second);
        }
    }

    private static Server.TlsOptions WithInternode(TlsTestServer t, TestCa internodeCa, TestLeaf internodeLeaf, bool requireClientAuth = false)
    {
        const string Prefix = "global:tls:internode:server";
        return new Server.TlsOptions
        {
            Frontend = t.FrontendSettings(requireClientAuth) with
            {
                ClientCas = [PemSource.FromFile("global:tls:frontend:server:clientCaFiles:0", t.ClientCaFile)],
            },
            Internode = new TlsServerSettings(PemSource.FromData($"{Prefix}:certData", internodeLeaf.CertificatePem),
                PemSource.FromData($"{Prefix}:keyData", internodeLeaf.KeyPem), requireClientAuth,
                [PemSource.FromData($"{Prefix}:clientCaData:0", internodeCa.Pem)]),
            InternodeClient = new TlsClientSettings(InternodeName, false, [PemSource.FromData("global:tls:internode:client:rootCaData:0", internodeCa.Pem)]),
        };
    }
}
