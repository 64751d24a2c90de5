using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Tempora.EndToEnd.Tests.Security;

/// <summary>Raw TLS handshakes against a listener: which certificate it presents, and whether it lets a client in.</summary>
internal static class TlsProbe
{
    /// <summary>The certificate the server at <paramref name="address"/> presents to a new connection with the given SNI.</summary>
    public static async Task<X509Certificate2> ServerCertificateAsync(string address, string serverName, X509Certificate2? clientCertificate = null,
        string protocol = "h2")
    {
        var (host, port) = Split(address);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(host, port);
        await using var ssl = new SslStream(tcp.GetStream());
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = serverName,
            ApplicationProtocols = [new SslApplicationProtocol(protocol)],
            ClientCertificates = clientCertificate is null ? null : [clientCertificate],
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        });
        return new X509Certificate2(ssl.RemoteCertificate!);
    }

    /// <summary>True when a TLS connection with this client certificate (or none) is kept open for a request.</summary>
    public static async Task<bool> AcceptsAsync(string address, X509Certificate2? clientCertificate)
    {
        try
        {
            var (host, port) = Split(address);
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(host, port);
            await using var ssl = new SslStream(tcp.GetStream());
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                ApplicationProtocols = [SslApplicationProtocol.Http11],
                ClientCertificates = clientCertificate is null ? null : [clientCertificate],
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            });
            // TLS 1.3 finishes the client's side before the server has judged its certificate; a request tells.
            await ssl.WriteAsync("GET /health/live HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"u8.ToArray());
            var buffer = new byte[64];
            var read = await ssl.ReadAsync(buffer);
            return read > 0;
        }
        catch (Exception e) when (e is AuthenticationException or IOException or SocketException)
        {
            return false;
        }
    }

    private static (string Host, int Port) Split(string address)
    {
        var colon = address.LastIndexOf(':');
        return (address[..colon], int.Parse(address[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }
}
