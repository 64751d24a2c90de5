using System.Diagnostics;
using Temporalio.Client;

namespace Tempora.EndToEnd.Tests.Security;

/// <summary>
/// TLS from the command line: `start-dev --tls-cert --tls-key --tls-client-ca` serves the SDK over mTLS, and
/// `tempora start` refuses a TEMPORAL_TLS_FRONTEND_CERT that is not a certificate before it starts, naming it.
/// </summary>
public sealed class TlsCliTests : IDisposable
{
    private readonly string _dir = TestFiles.NewTempDir();

    public void Dispose() => TestFiles.TryDeleteDirectory(_dir);

    [Fact]
    public async Task StartDev_TlsFlags_SdkConnectsWithClientCertificateOnly()
    {
        using var serverCa = new TestCa("start-dev server CA");
        using var clientCa = new TestCa("start-dev client CA");
        using var serverLeaf = serverCa.Issue("localhost");
        using var clientLeaf = clientCa.Issue("client");
        var (cert, key) = serverLeaf.WriteTo(_dir);
        var clientCaFile = Path.Combine(_dir, "client-ca.pem");
        File.WriteAllText(clientCaFile, clientCa.Pem);

        await using var process = await TemporaProcess.StartAsync(new TemporaProcessOptions
        {
            DbFile = Path.Combine(_dir, "tempora.db"),
            LogName = "tls-start-dev",
            ExtraArguments = ["--tls-cert", cert, "--tls-key", key, "--tls-client-ca", clientCaFile],
        });
        Task<TemporalClient> Connect(TestLeaf? client) => TemporalClient.ConnectAsync(new TemporalClientConnectOptions(process.Address)
        {
            Tls = new TlsOptions
            {
                ServerRootCACert = System.Text.Encoding.ASCII.GetBytes(serverCa.Pem),
                Domain = "localhost",
                ClientCert = client is null ? null : System.Text.Encoding.ASCII.GetBytes(client.CertificatePem),
                ClientPrivateKey = client is null ? null : System.Text.Encoding.ASCII.GetBytes(client.KeyPem),
            },
        });

        Assert.Equal("Hello, start-dev!", await TlsSdkTests.RunHelloAsync(await Connect(clientLeaf), "start-dev"));
        await Assert.ThrowsAnyAsync<Exception>(() => Connect(null));
    }

    [Fact]
    public async Task Start_FrontendCertVariableNotACertificate_ExitsNamingIt()
    {
        var garbage = Path.Combine(_dir, "garbage.pem");
        File.WriteAllText(garbage, "not a certificate");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "tempora.dll"));
        foreach (var argument in new[] { "start", "--port", "0", "--ui-port", "0", "--metrics-port", "0", "--http-port", "0" })
        {
            info.ArgumentList.Add(argument);
        }
        foreach (var inherited in new[] { "TEMPORA_CONFIG", "DB", "TEMPORA_DB", "SERVICES", "TEMPORA_SERVICES" })
        {
            info.Environment.Remove(inherited);
        }
        info.Environment["TEMPORA_SQLITE_FILE"] = Path.Combine(_dir, "start.db");
        info.Environment["TEMPORAL_TLS_FRONTEND_CERT"] = garbage;
        info.Environment["TEMPORAL_TLS_FRONTEND_KEY"] = garbage;
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WithTimeout("start to refuse the certificate", TimeSpan.FromSeconds(60));

        Assert.Equal(2, process.ExitCode);
        var message = await error;
        Assert.Contains("global:tls:frontend:server:certFile", message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(garbage, message, StringComparison.Ordinal);
    }
}
