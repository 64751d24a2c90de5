using System.Security.Cryptography.X509Certificates;

namespace Tempora.Cluster.Peers;

/// <summary>
/// Whether a TLS client certificate is a replica's: it chains to one of the internode CAs
/// (<c>global:tls:internode:server:clientCaFiles</c>). The CAs are read through a function because they are re-read
/// when their files change. No CAs, no replica certificates.
/// </summary>
public sealed class InternodeTrust(Func<X509Certificate2Collection?> internodeCas)
{
    /// <summary>No internode CAs: no certificate proves a replica (TLS off).</summary>
    public static InternodeTrust None { get; } = new(() => null);

    public bool IsInternodeCertificate(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        if (internodeCas() is not { Count: > 0 } cas)
        {
            return false;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(cas);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }
}
