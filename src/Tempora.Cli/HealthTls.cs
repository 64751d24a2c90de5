using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Tempora.Core.Tls;

namespace Tempora.Cli;

/// <summary>
/// How `tempora health` speaks to a TLS metrics listener. The probe runs beside the server (the container's
/// HEALTHCHECK), where the address is loopback and matches no name in the certificate, so without a CA any
/// certificate is accepted; with --tls-ca the chain must lead to it (the name is still not checked).
/// </summary>
internal static class HealthTls
{
    public static HttpClientHandler Handler(string? caFile, string? certFile, string? keyFile)
    {
        var handler = new HttpClientHandler();
        var set = CertificateSet.Load(
            certFile is null ? null : PemSource.FromFile("--tls-cert", Path.GetFullPath(certFile)),
            keyFile is null ? null : PemSource.FromFile("--tls-key", Path.GetFullPath(keyFile)),
            caFile is null ? [] : [PemSource.FromFile("--tls-ca", Path.GetFullPath(caFile))]);
        if (set.Certificate is not null)
        {
            handler.ClientCertificateOptions = ClientCertificateOption.Manual;
            handler.ClientCertificates.Add(set.Certificate);
        }
        handler.ServerCertificateCustomValidationCallback = (_, certificate, chain, _) =>
            caFile is null || (certificate is not null && set.Trusts(certificate, chain?.ChainPolicy.ExtraStore));
        return handler;
    }
}
