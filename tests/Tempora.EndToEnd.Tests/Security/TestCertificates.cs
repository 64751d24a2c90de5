using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Tempora.EndToEnd.Tests.Security;

/// <summary>A certificate authority made for one test (ECDSA P-256), issuing leaf certificates; nothing is checked in.</summary>
internal sealed class TestCa : IDisposable
{
    private readonly ECDsa _key;

    public TestCa(string name)
    {
        _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", _key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        Certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    public X509Certificate2 Certificate { get; }

    public string Pem => Certificate.ExportCertificatePem();

    /// <summary>A leaf for server and client use, valid for the given DNS names and 127.0.0.1.</summary>
    public TestLeaf Issue(string commonName, params string[] dnsNames)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false)); // serverAuth, clientAuth
        var names = new SubjectAlternativeNameBuilder();
        foreach (var dns in dnsNames.Prepend(commonName))
        {
            names.AddDnsName(dns);
        }
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7F;
        using var issued = request.Create(Certificate, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(12), serial);
        return new TestLeaf(issued.CopyWithPrivateKey(key), key);
    }

    public void Dispose()
    {
        Certificate.Dispose();
        _key.Dispose();
    }
}

/// <summary>A leaf certificate with its key, as PEM text and files.</summary>
internal sealed class TestLeaf(X509Certificate2 certificate, ECDsa key) : IDisposable
{
    public X509Certificate2 Certificate { get; } = certificate;

    public string CertificatePem => Certificate.ExportCertificatePem();

    public string KeyPem => key.ExportPkcs8PrivateKeyPem();

    public string SerialNumber => Certificate.SerialNumber;

    /// <summary>Writes cert.pem and key.pem into <paramref name="directory"/> (replacing them) and returns their paths.</summary>
    public (string Cert, string Key) WriteTo(string directory, string prefix = "")
    {
        Directory.CreateDirectory(directory);
        var cert = Path.Combine(directory, prefix + "cert.pem");
        var keyFile = Path.Combine(directory, prefix + "key.pem");
        File.WriteAllText(cert, CertificatePem);
        File.WriteAllText(keyFile, KeyPem);
        return (cert, keyFile);
    }

    public void Dispose()
    {
        Certificate.Dispose();
        key.Dispose();
    }
}
