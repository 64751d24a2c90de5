using System.Security.Cryptography.X509Certificates;
using Tempora.Core.Tls;

namespace Tempora.Cluster.Peers;

/// <summary>
/// Tells a replica's client certificate from anyone else's: it chains to the internode CAs (Temporal's
/// <c>global.tls.internode.server.clientCaFiles</c>, and the client's rootCaFiles, which the image sets to the same
/// file), as they are after the latest reload. Without internode TLS no certificate is a replica's.
/// </summary>
public sealed class InternodeTrust
{
    private readonly CertificateReloader[] _cas;

    public InternodeTrust(params CertificateReloader[] cas)
    {
        _cas = cas;
    }

    /// <summary>No internode TLS: nothing proves a replica by certificate.</summary>
    public static InternodeTrust None { get; } = new();

    /// <summary>Whether internode CAs are configured at all.</summary>
    public bool IsConfigured => _cas.Any(c => c.Current.Cas.Count > 0);

    /// <summary>True when <paramref name="certificate"/> (a verified TLS client certificate) chains to an internode CA.</summary>
    public bool IsInternodeCertificate(X509Certificate2? certificate) =>
        certificate is not null && _cas.Any(c => c.Current.Trusts(certificate));
}
