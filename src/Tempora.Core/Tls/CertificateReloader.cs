using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace Tempora.Core.Tls;

/// <summary>
/// Keeps one certificate set current: every refresh interval it reads its files and, when their content changed,
/// loads them again. A FileSystemWatcher misses Kubernetes' symlink swap of a mounted Secret, so the content is
/// compared instead. A new set that does not load is logged and the previous one stays in use; existing connections
/// keep theirs, new handshakes get <see cref="Current"/>.
/// </summary>
public sealed partial class CertificateReloader : IDisposable
{
    private readonly string _name;
    private readonly PemSource? _certificate;
    private readonly PemSource? _key;
    private readonly IReadOnlyList<PemSource> _cas;
    private readonly ILogger _logger;
    private readonly ITimer? _timer;
    private readonly Lock _lock = new();
    private byte[] _fingerprint;
    private volatile CertificateSet _current;

    /// <summary>Loads the set now (throws <see cref="CertificateLoadException"/> when it cannot) and polls every
    /// <paramref name="refreshInterval"/> (never when zero).</summary>
    public CertificateReloader(string name, PemSource? certificate, PemSource? key, IReadOnlyList<PemSource> cas, TimeSpan refreshInterval,
        ILogger logger, TimeProvider? time = null)
    {
        _name = name;
        _certificate = certificate;
        _key = key;
        _cas = cas;
        _logger = logger;
        _fingerprint = Fingerprint();
        _current = CertificateSet.Load(certificate, key, cas);
        if (refreshInterval > TimeSpan.Zero && Sources().Any(s => s.File is not null))
        {
            _timer = (time ?? TimeProvider.System).CreateTimer(_ => Refresh(), null, refreshInterval, refreshInterval);
        }
    }

    /// <summary>The set to use for the next handshake.</summary>
    public CertificateSet Current => _current;

    /// <summary>Reads the files and loads them when they changed since the last look; returns whether it swapped.</summary>
    public bool Refresh()
    {
        lock (_lock)
        {
            byte[] fingerprint;
            try
            {
                fingerprint = Fingerprint();
            }
            catch (CertificateLoadException e)
            {
                LogReloadFailed(_logger, _name, e.Message);
                return false;
            }
            if (fingerprint.AsSpan().SequenceEqual(_fingerprint))
            {
                return false;
            }
            // Remember even a bad generation, so it is reported once; the next write of the files is seen as a change.
            _fingerprint = fingerprint;
            try
            {
                _current = CertificateSet.Load(_certificate, _key, _cas);
            }
            catch (CertificateLoadException e)
            {
                LogReloadFailed(_logger, _name, e.Message);
                return false;
            }
            LogReloaded(_logger, _name, _current.Certificate?.SerialNumber ?? "-", _current.Certificate?.NotAfter.ToUniversalTime().ToString("u") ?? "-",
                _current.Cas.Count);
            return true;
        }
    }

    public void Dispose() => _timer?.Dispose();

    private IEnumerable<PemSource> Sources() => new[] { _certificate, _key }.OfType<PemSource>().Concat(_cas);

    private byte[] Fingerprint()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var source in Sources())
        {
            var bytes = source.ReadBytes();
            hash.AppendData(BitConverter.GetBytes(bytes.Length));
            hash.AppendData(bytes);
        }
        return hash.GetHashAndReset();
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "TLS {Name}: certificates reloaded (serial {Serial}, valid until {NotAfter}; {CaCount} trusted CA certificates)")]
    private static partial void LogReloaded(ILogger logger, string name, string serial, string notAfter, int caCount);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "TLS {Name}: the changed certificate files do not load, the previous ones stay in use: {Reason}")]
    private static partial void LogReloadFailed(ILogger logger, string name, string reason);
}
