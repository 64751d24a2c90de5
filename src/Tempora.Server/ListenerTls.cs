using System.Net.Security;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Tempora.Core.Tls;

namespace Tempora.Server;

/// <summary>
/// The TLS handshake of one listener, decided per connection from the current certificate sets: the internode
/// certificate when the client's SNI is the internode server name, else the listener's own; client certificates are
/// asked for when CAs are configured and verified against those CAs only, never the machine's store.
/// </summary>
internal sealed class ListenerTls(CertificateReloader own, bool requireClientAuth, SslApplicationProtocol protocol,
    CertificateReloader? internode = null, TlsServerSettings? internodeSettings = null, string? internodeServerName = null)
{
    public TlsHandshakeCallbackOptions CallbackOptions() => new()
    {
        OnConnection = context => ValueTask.FromResult(Options(context.ClientHelloInfo.ServerName)),
    };

    public SslServerAuthenticationOptions Options(string? serverName)
    {
        var peer = internode is not null && !string.IsNullOrEmpty(internodeServerName)
            && string.Equals(serverName, internodeServerName, StringComparison.OrdinalIgnoreCase);
        var presented = peer ? internode!.Current : own.Current;
        var require = peer ? internodeSettings!.RequireClientAuth : requireClientAuth;
        var trusted = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection(own.Current.Cas);
        if (internode is not null)
        {
            trusted.AddRange(internode.Current.Cas);
        }
        var options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = presented.Context,
            ApplicationProtocols = [protocol],
            ClientCertificateRequired = require || trusted.Count > 0,
            CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
            // A client certificate must chain to the configured CAs; without one the handshake passes unless required.
            RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                certificate is null ? !require : errors == SslPolicyErrors.None,
        };
        if (trusted.Count > 0)
        {
            options.CertificateChainPolicy = CertificateSet.TrustPolicy(trusted);
        }
        return options;
    }
}
