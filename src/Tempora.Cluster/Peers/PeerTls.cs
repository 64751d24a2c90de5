using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Tempora.Core.Tls;

namespace Tempora.Cluster.Peers;

/// <summary>
/// How this replica connects to the others: plaintext, or TLS presenting its internode certificate (the current one
/// after a reload) and verifying theirs against the internode root CAs, as Temporal's internode client does.
/// </summary>
public sealed class PeerTls
{
    private readonly CertificateReloader? _identity;
    private readonly CertificateReloader? _roots;
    private readonly TlsClientSettings? _settings;

    /// <param name="identity">The internode server certificate and key, presented as client certificate; null: none.</param>
    /// <param name="roots">The root CAs a peer's certificate must chain to; null: the machine's trust store.</param>
    /// <param name="settings">Server name and host verification.</param>
    public PeerTls(CertificateReloader? identity, CertificateReloader? roots, TlsClientSettings settings)
    {
        _identity = identity;
        _roots = roots;
        _settings = settings;
    }

    private PeerTls()
    {
    }

    /// <summary>No internode TLS: peers talk h2c.</summary>
    public static PeerTls Plaintext { get; } = new();

    public bool Enabled => _settings is not null;

    /// <summary>
    /// The handler of a channel to one peer. SocketsHttpHandler takes the TLS server name (SNI) from the Host header
    /// and would otherwise send the peer's IP, which is no SNI at all; the server picks its internode certificate by SNI.
    /// </summary>
    public HttpMessageHandler Handler()
    {
        var handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true };
        if (_settings is not { } settings)
        {
            return handler;
        }
        handler.SslOptions = ClientOptions(settings);
        return settings.ServerName is { } name ? new ServerNameHandler(name, handler) : handler;
    }

    private SslClientAuthenticationOptions ClientOptions(TlsClientSettings settings)
    {
        var roots = _roots;
        var ignoreName = settings.DisableHostVerification;
        var options = new SslClientAuthenticationOptions
        {
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
            {
                if (certificate is not X509Certificate2 peer)
                {
                    return false;
                }
                var remaining = errors;
                if (ignoreName)
                {
                    remaining &= ~SslPolicyErrors.RemoteCertificateNameMismatch;
                }
                if (roots is null)
                {
                    return remaining == SslPolicyErrors.None;
                }
                // The chain is judged against the internode roots alone, the name by the runtime's check.
                remaining &= ~SslPolicyErrors.RemoteCertificateChainErrors;
                return remaining == SslPolicyErrors.None && roots.Current.Trusts(peer, chain?.ChainPolicy.ExtraStore);
            },
        };
        if (_identity is { } identity)
        {
            // Asked on every handshake, so a new connection presents the certificate of the latest reload.
            options.LocalCertificateSelectionCallback = (_, _, _, _, _) => identity.Current.Certificate!;
        }
        return options;
    }

    /// <summary>The scheme of a peer's address.</summary>
    public string Scheme => Enabled ? "https" : "http";

    /// <summary>Sets the Host header (and so :authority and the SNI) of every call to the internode server name.</summary>
    private sealed class ServerNameHandler(string serverName, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Host = serverName;
            return base.SendAsync(request, cancellationToken);
        }
    }
}
