using System.Text;

namespace Tempora.Core.Tls;

/// <summary>
/// One PEM input of a TLS setting: a file, re-read when it changes (cert-manager rotates files in place), or inline
/// data from the configuration. Temporal's *Data settings hold base64 of the PEM text; raw PEM is taken as well.
/// </summary>
/// <param name="Setting">The configuration key it came from, named in every error about it.</param>
public sealed record PemSource(string Setting, string? File, string? Data)
{
    public static PemSource FromFile(string setting, string path) => new(setting, path, null);

    public static PemSource FromData(string setting, string data) => new(setting, null, data);

    /// <summary>The setting, and the file when there is one, for error messages.</summary>
    public string Description => File is null ? $"'{Setting}'" : $"'{Setting}' (file {File})";

    /// <summary>The file's bytes as they are now, or the inline data; used to notice a change.</summary>
    public byte[] ReadBytes()
    {
        if (File is not null)
        {
            try
            {
                return System.IO.File.ReadAllBytes(File);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CertificateLoadException($"TLS setting {Description} cannot be read: {e.Message}", e);
            }
        }
        return Encoding.UTF8.GetBytes(Data ?? "");
    }

    /// <summary>The PEM text.</summary>
    public string ReadPem()
    {
        var text = Encoding.UTF8.GetString(ReadBytes());
        if (File is not null || text.Contains("-----BEGIN", StringComparison.Ordinal))
        {
            return text;
        }
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(text.Trim()));
        }
        catch (FormatException)
        {
            throw new CertificateLoadException($"TLS setting {Description} is neither PEM nor base64-encoded PEM.");
        }
    }
}
