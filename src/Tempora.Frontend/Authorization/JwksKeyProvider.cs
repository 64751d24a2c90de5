using System.Collections.Frozen;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace Tempora.Frontend.Authorization;

/// <summary>
/// The token signing keys, from JWKS documents at <c>jwtKeyProvider.keySourceURIs</c> (http(s):// or file://), read at
/// start and again every refresh interval, as Temporal's default token key provider does: a round in which any source
/// fails keeps the previous keys, RSA and EC keys are kept by their <c>kid</c>, others are skipped with a warning. Unlike
/// Temporal's, a token naming an unknown <c>kid</c> also triggers one early read, at most every
/// <see cref="EarlyRefreshMinInterval"/>, so that a key an identity provider has just rotated in is usable at once
/// while a stream of forged kids cannot turn into a stream of requests to it.
/// </summary>
public sealed partial class JwksKeyProvider : IHostedService, IDisposable
{
    public static readonly TimeSpan EarlyRefreshMinInterval = TimeSpan.FromSeconds(10);

    private readonly IReadOnlyList<string> _sources;
    private readonly TimeSpan _refreshInterval;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private FrozenDictionary<string, SecurityKey> _keys = FrozenDictionary<string, SecurityKey>.Empty;
    private long _lastReadStarted; // a timestamp of _time; 0 until the first read
    private Task _loop = Task.CompletedTask;
    private int _disposed;

    public JwksKeyProvider(IReadOnlyList<string> sources, TimeSpan refreshInterval, TimeProvider time, ILogger<JwksKeyProvider> logger)
    {
        _sources = sources.Where(s => !string.IsNullOrWhiteSpace(s)).ToArray();
        _refreshInterval = refreshInterval;
        _time = time;
        _logger = logger;
    }

    /// <summary>The ids of the keys loaded now.</summary>
    public IReadOnlyCollection<string> KeyIds => _keys.Keys;

    /// <summary>Reads the keys once (a failure is logged, the server still starts), then every refresh interval.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await RefreshAsync(cancellationToken);
        if (_refreshInterval > TimeSpan.Zero)
        {
            _loop = RefreshPeriodicallyAsync(_stopping.Token);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _loop.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>The key with this id; an unknown id reads the sources again first unless that was done lately.</summary>
    public async ValueTask<SecurityKey?> FindAsync(string kid, CancellationToken ct)
    {
        if (_keys.TryGetValue(kid, out var key))
        {
            return key;
        }
        if (_sources.Count == 0 || ReadLately())
        {
            return null;
        }
        await _refreshing.WaitAsync(ct);
        try
        {
            // Requests that waited here while another read ran find its keys; only the first reads.
            if (!_keys.ContainsKey(kid) && !ReadLately())
            {
                LogEarlyRefresh(_logger, kid);
                await ReadAllAsync(ct);
            }
        }
        finally
        {
            _refreshing.Release();
        }
        return _keys.GetValueOrDefault(kid);
    }

    /// <summary>Reads every source now.</summary>
    public async Task RefreshAsync(CancellationToken ct)
    {
        await _refreshing.WaitAsync(ct);
        try
        {
            await ReadAllAsync(ct);
        }
        finally
        {
            _refreshing.Release();
        }
    }

    public void Dispose()
    {
        // The container disposes it twice: as itself and as the hosted service the same instance is registered as.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _stopping.Cancel();
        _stopping.Dispose();
        _http.Dispose();
        _refreshing.Dispose();
    }

    private bool ReadLately() =>
        Interlocked.Read(ref _lastReadStarted) is var started and not 0 && _time.GetElapsedTime(started) < EarlyRefreshMinInterval;

    private async Task RefreshPeriodicallyAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(_refreshInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                await RefreshAsync(ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private async Task ReadAllAsync(CancellationToken ct)
    {
        if (_sources.Count == 0)
        {
            return;
        }
        Interlocked.Exchange(ref _lastReadStarted, _time.GetTimestamp());
        var keys = new Dictionary<string, SecurityKey>(StringComparer.Ordinal);
        foreach (var source in _sources)
        {
            string json;
            try
            {
                json = await ReadAsync(source, ct);
            }
            catch (Exception e) when (e is HttpRequestException or IOException or UnauthorizedAccessException
                or TaskCanceledException or UriFormatException && !ct.IsCancellationRequested)
            {
                LogReadFailed(_logger, source, e.Message);
                return; // keep the keys we have, as Temporal does when one source fails
            }
            try
            {
                AddKeys(new JsonWebKeySet(json), source, keys);
            }
            catch (Exception e) when (e is ArgumentException or System.Text.Json.JsonException)
            {
                LogReadFailed(_logger, source, $"not a JWKS document: {e.Message}");
                return;
            }
        }
        _keys = keys.ToFrozenDictionary(StringComparer.Ordinal);
        LogRead(_logger, keys.Count, _sources.Count);
    }

    private async Task<string> ReadAsync(string source, CancellationToken ct)
    {
        var uri = new Uri(source, UriKind.Absolute);
        if (uri.IsFile)
        {
            return await File.ReadAllTextAsync(uri.LocalPath, ct);
        }
        using var response = await _http.GetAsync(uri, ct);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync(ct);
    }

    private void AddKeys(JsonWebKeySet set, string source, Dictionary<string, SecurityKey> keys)
    {
        foreach (var key in set.Keys)
        {
            if (key.Kty is JsonWebAlgorithmsKeyTypes.RSA or JsonWebAlgorithmsKeyTypes.EllipticCurve && !string.IsNullOrEmpty(key.Kid))
            {
                keys[key.Kid] = key;
            }
            else
            {
                LogKeySkipped(_logger, key.Kid ?? "", key.Kty ?? "", source);
            }
        }
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Error, Message = "Could not read token keys from {Source}; keeping the previous keys: {Reason}")]
    private static partial void LogReadFailed(ILogger logger, string source, string reason);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Debug, Message = "Read {Count} token keys from {Sources} JWKS sources")]
    private static partial void LogRead(ILogger logger, int count, int sources);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Warning, Message = "Skipped JWKS key {Kid} of type '{Kty}' from {Source}: only RSA and EC keys sign tokens here")]
    private static partial void LogKeySkipped(ILogger logger, string kid, string kty, string source);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Information, Message = "A token names key {Kid}, which is not loaded; reading the JWKS sources again")]
    private static partial void LogEarlyRefresh(ILogger logger, string kid);
}
