namespace Tempora.Core.Tls;

/// <summary>A certificate, key or CA bundle could not be read or parsed; the message names the setting and file.</summary>
public sealed class CertificateLoadException : Exception
{
    public CertificateLoadException(string message)
        : base(message)
    {
    }

    public CertificateLoadException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
