using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Tempora.Core.Tls;

/// <summary>One loaded generation of a listener's or client's certificate, key and trusted CAs.</summary>
public sealed class CertificateSet
{
    private CertificateSet(X509Certificate2? certificate, SslStreamCertificateContext? context, X509Certificate2Collection cas)
    {
        Certificate = certificate;
        Context = context;
        Cas = cas;
    }

    /// <summary>The leaf certificate with its private key; null for a CA bundle alone.</summary>
    public X509Certificate2? Certificate { get; }

    /// <summary>The leaf with its intermediates, built once, for TLS handshakes.</summary>
    public SslStreamCertificateContext? Context { get; }

    /// <summary>The trusted CAs (client CAs of a listener, root CAs of a client); may be empty.</summary>
    public X509Certificate2Collection Cas { get; }

    /// <summary>Reads and parses every input; throws <see cref="CertificateLoadException"/> naming the bad one.</summary>
    public static CertificateSet Load(PemSource? certificate, PemSource? key, IReadOnlyList<PemSource> cas)
    {
        X509Certificate2? leaf = null;
        SslStreamCertificateContext? context = null;
        if (certificate is not null)
        {
            if (key is null)
            {
                throw new CertificateLoadException($"TLS setting {certificate.Description} has no private key setting beside it.");
            }
            var chain = Certificates(certificate);
            var keyPem = key.ReadPem();
            try
            {
                leaf = X509Certificate2.CreateFromPem(chain[0].ExportCertificatePem(), keyPem);
            }
            catch (Exception e) when (e is CryptographicException or ArgumentException)
            {
                throw new CertificateLoadException(
                    $"TLS setting {key.Description} is not a private key in PEM that matches the certificate of {certificate.Description}: {e.Message}", e);
            }
            chain.RemoveAt(0);
            // Offline: the server sends the intermediates the file gives and fetches nothing.
            context = SslStreamCertificateContext.Create(leaf, chain, offline: true);
        }
        var trusted = new X509Certificate2Collection();
        foreach (var ca in cas)
        {
            trusted.AddRange(Certificates(ca));
        }
        return new CertificateSet(leaf, context, trusted);
    }

    /// <summary>True when <paramref name="certificate"/> chains to one of <see cref="Cas"/> (not to the machine's store).</summary>
    public bool Trusts(X509Certificate2 certificate, X509Certificate2Collection? intermediates = null)
    {
        if (Cas.Count == 0)
        {
            return false;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy = TrustPolicy(Cas);
        if (intermediates is not null)
        {
            chain.ChainPolicy.ExtraStore.AddRange(intermediates);
        }
        return chain.Build(certificate);
    }

    /// <summary>A chain policy that trusts <paramref name="cas"/> only; revocation is not checked (no CRL/OCSP fetches).</summary>
    public static X509ChainPolicy TrustPolicy(X509Certificate2Collection cas)
    {
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
        };
        policy.CustomTrustStore.AddRange(cas);
        return policy;
    }

    private static X509Certificate2Collection Certificates(PemSource source)
    {
        var pem = source.ReadPem();
        var collection = new X509Certificate2Collection();
        try
        {
            collection.ImportFromPem(pem);
        }
        catch (CryptographicException e)
        {
            throw new CertificateLoadException($"TLS setting {source.Description} is not PEM certificates: {e.Message}", e);
        }
        if (collection.Count == 0)
        {
            throw new CertificateLoadException($"TLS setting {source.Description} holds no PEM certificate.");
        }
        return collection;
    }
}
