using Tempora.Core.Tls;
using Tempora.Server;
using Temporalio.Client;

namespace Tempora.EndToEnd.Tests.Security;

/// <summary>
/// A server of one TLS test, on free loopback ports, with a test CA for servers, one for clients, their leaves as
/// files in a scratch directory, and SDK connections with or without a client certificate.
/// </summary>
internal sealed class TlsTestServer : IAsyncDisposable
{
    private readonly TestDatabase _database;

    private TlsTestServer(TestDatabase database, string directory, TestCa serverCa, TestCa clientCa, TestLeaf serverLeaf, TestLeaf clientLeaf)
    {
        _database = database;
        Directory = directory;
        ServerCa = serverCa;
        ClientCa = clientCa;
        ServerLeaf = serverLeaf;
        ClientLeaf = clientLeaf;
    }

    public TemporaServer Server { get; private set; } = null!;

    public string Directory { get; }

    public TestCa ServerCa { get; }

    public TestCa ClientCa { get; }

    /// <summary>The frontend's certificate at start (cert.pem / key.pem in <see cref="Directory"/>).</summary>
    public TestLeaf ServerLeaf { get; }

    /// <summary>A client certificate issued by <see cref="ClientCa"/>.</summary>
    public TestLeaf ClientLeaf { get; }

    public string ServerCaFile => Path.Combine(Directory, "server-ca.pem");

    public string ClientCaFile => Path.Combine(Directory, "client-ca.pem");

    public string CertFile => Path.Combine(Directory, "cert.pem");

    public string KeyFile => Path.Combine(Directory, "key.pem");

    /// <summary>Frontend settings over the files: TLS, or mTLS against <see cref="ClientCa"/>.</summary>
    public TlsServerSettings FrontendSettings(bool requireClientAuth) => new(
        PemSource.FromFile("global:tls:frontend:server:certFile", CertFile),
        PemSource.FromFile("global:tls:frontend:server:keyFile", KeyFile),
        requireClientAuth,
        requireClientAuth ? [PemSource.FromFile("global:tls:frontend:server:clientCaFiles:0", ClientCaFile)] : []);

    /// <summary>Creates the CAs and files, then starts a server whose TLS <paramref name="tls"/> makes from them.</summary>
    public static async Task<TlsTestServer> StartAsync(string hint, Func<TlsTestServer, Tempora.Server.TlsOptions> tls, bool headless = true,
        TestDatabase? database = null)
    {
        database ??= new TestDatabase(hint);
        var directory = TestFiles.NewTempDir();
        var serverCa = new TestCa("Tempora test server CA");
        var clientCa = new TestCa("Tempora test client CA");
        var result = new TlsTestServer(database, directory, serverCa, clientCa, serverCa.Issue("localhost"), clientCa.Issue("tempora-test-client"));
        try
        {
            File.WriteAllText(result.ServerCaFile, serverCa.Pem);
            File.WriteAllText(result.ClientCaFile, clientCa.Pem);
            result.ServerLeaf.WriteTo(directory);
            var options = database.Apply(new TemporaOptions { Ip = "127.0.0.1", Port = 0, UiPort = 0, MetricsPort = 0, Headless = headless });
            result.Server = await ServerFixture.StartServerAsync(options with { Tls = tls(result) }, hint);
            return result;
        }
        catch
        {
            await result.DisposeAsync();
            throw;
        }
    }

    /// <summary>An SDK client over TLS trusting <see cref="ServerCa"/>, presenting <paramref name="client"/> when given.</summary>
    public Task<TemporalClient> ConnectAsync(TestLeaf? client = null) =>
        TemporalClient.ConnectAsync(new TemporalClientConnectOptions(Server.GrpcAddress)
        {
            Tls = new Temporalio.Client.TlsOptions
            {
                ServerRootCACert = System.Text.Encoding.ASCII.GetBytes(ServerCa.Pem),
                Domain = "localhost",
                ClientCert = client is null ? null : System.Text.Encoding.ASCII.GetBytes(client.CertificatePem),
                ClientPrivateKey = client is null ? null : System.Text.Encoding.ASCII.GetBytes(client.KeyPem),
            },
        });

    public async ValueTask DisposeAsync()
    {
        if (Server is not null)
        {
            await ServerFixture.StopAsync(Server);
        }
        ServerLeaf.Dispose();
        ClientLeaf.Dispose();
        ServerCa.Dispose();
        ClientCa.Dispose();
        _database.Dispose();
        TestFiles.TryDeleteDirectory(Directory);
    }
}
