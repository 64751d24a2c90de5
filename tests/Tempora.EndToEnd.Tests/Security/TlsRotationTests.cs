namespace Tempora.EndToEnd.Tests.Security;

/// <summary>
/// cert-manager renews a certificate by rewriting the mounted files: after the next refresh, new connections get the
/// new certificate while a client connected before keeps working, with no restart.
/// </summary>
public sealed class TlsRotationTests
{
    [Fact]
    public async Task RotatedFiles_NewHandshakesGetNewSerial_ConnectedClientKeepsWorking()
    {
        await using var tls = await TlsTestServer.StartAsync("tls-rotation", t => new Server.TlsOptions
        {
            RefreshInterval = TimeSpan.FromMilliseconds(100),
            Frontend = t.FrontendSettings(requireClientAuth: true),
        });
        var client = await tls.ConnectAsync(tls.ClientLeaf);
        Assert.Equal("Hello, before!", await TlsSdkTests.RunHelloAsync(client, "before"));
        Assert.Equal(tls.ServerLeaf.SerialNumber, (await TlsProbe.ServerCertificateAsync(tls.Server.GrpcAddress, "localhost")).SerialNumber);

        using var renewed = tls.ServerCa.Issue("localhost");
        Assert.NotEqual(tls.ServerLeaf.SerialNumber, renewed.SerialNumber);
        renewed.WriteTo(tls.Directory);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        string serial;
        while ((serial = (await TlsProbe.ServerCertificateAsync(tls.Server.GrpcAddress, "localhost")).SerialNumber) != renewed.SerialNumber)
        {
            Assert.True(DateTime.UtcNow < deadline, $"new handshakes still get serial {serial} 20 s after the files changed");
            await Task.Delay(50);
        }

        Assert.Equal("Hello, after!", await TlsSdkTests.RunHelloAsync(client, "after"));
        var fresh = await tls.ConnectAsync(tls.ClientLeaf);
        Assert.Equal("Hello, fresh!", await TlsSdkTests.RunHelloAsync(fresh, "fresh"));
    }
}
