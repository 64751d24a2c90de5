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

    /// <summary>The handler of a channel to one peer.</summary>
    public SocketsHttpHandler Handler()
    {
        var handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true };
        if (_settings is null)
        {
            return handler;
        }
        var identity = _identity;
        var roots = _roots;
        var ignoreName = _settings.DisableHostVerification;
        handler.SslOptions = new SslClientAuthenticationOptions
        {
            // SNI: the server presents its internode certificate to this name (one port serves SDKs and peers).
            TargetHost = _settings.ServerName,
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
        if (identity is not null)
        {
            // Asked on every handshake, so a new connection presents the certificate of the latest reload.
            handler.SslOptions.LocalCertificateSelectionCallback = (_, _, _, _, _) => identity.Current.Certificate!;
        }
        return handler;
    }

    /// <summary>The scheme of a peer's address.</summary>
    public string Scheme => Enabled ? "https" : "http";
}
