using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Tempora.Frontend.Authorization;

namespace Tempora.EndToEnd.Tests.Security;

/// <summary>The JWKS key provider on a file:// source, with time driven by the test.</summary>
public sealed class JwksKeyProviderTests : IDisposable
{
    private readonly string _dir = TestFiles.NewTempDir();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly TestSigningKey _rsa = TestSigningKey.Rsa("rsa-1");
    private readonly TestSigningKey _ec = TestSigningKey.EllipticCurve("ec-1");
    private readonly TestSigningKey _next = TestSigningKey.Rsa("rsa-2");

    private string JwksFile => Path.Combine(_dir, "jwks.json");

    [Fact]
    public async Task Start_ReadsRsaAndEcKeys_UnknownKidIsNull()
    {
        File.WriteAllText(JwksFile, TestSigningKey.Jwks([_rsa, _ec]));
        using var provider = Provider(TimeSpan.Zero);
        await provider.StartAsync(CancellationToken.None);

        Assert.NotNull(await provider.FindAsync("rsa-1", CancellationToken.None));
        Assert.NotNull(await provider.FindAsync("ec-1", CancellationToken.None));
        Assert.Null(await provider.FindAsync("nope", CancellationToken.None));
        await provider.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task UnknownKid_ReadsAgainEarly_AtMostOncePerInterval()
    {
        File.WriteAllText(JwksFile, TestSigningKey.Jwks([_rsa]));
        using var provider = Provider(TimeSpan.Zero); // no periodic reads: only the early one can find the new key
        await provider.StartAsync(CancellationToken.None);
        File.WriteAllText(JwksFile, TestSigningKey.Jwks([_rsa, _next]));

        // Read at start just now: an unknown kid does not make it read again yet.
        Assert.Null(await provider.FindAsync("rsa-2", CancellationToken.None));
        _time.Advance(JwksKeyProvider.EarlyRefreshMinInterval);
        Assert.NotNull(await provider.FindAsync("rsa-2", CancellationToken.None));

        // Forged kids right after: no read (the file now has a key they would find, yet they do not).
        File.WriteAllText(JwksFile, TestSigningKey.Jwks([_rsa, _next, _ec]));
        Assert.Null(await provider.FindAsync("ec-1", CancellationToken.None));
        await provider.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task RefreshInterval_NewKeysReplaceOld_AndAFailedReadKeepsThem()
    {
        File.WriteAllText(JwksFile, TestSigningKey.Jwks([_rsa]));
        using var provider = Provider(TimeSpan.FromMinutes(1));
        await provider.StartAsync(CancellationToken.None);
        File.WriteAllText(JwksFile, TestSigningKey.Jwks([_next]));

        _time.Advance(TimeSpan.FromMinutes(1));
        await Wait.UntilAsync(() => Task.FromResult(provider.KeyIds.Contains("rsa-2")), found => found, "the periodic read to load rsa-2");
        Assert.DoesNotContain("rsa-1", provider.KeyIds);

        File.WriteAllText(JwksFile, "not json");
        await provider.RefreshAsync(CancellationToken.None);
        Assert.Contains("rsa-2", provider.KeyIds);
        await provider.StopAsync(CancellationToken.None);
    }

    private JwksKeyProvider Provider(TimeSpan refresh) =>
        new([new Uri(JwksFile).AbsoluteUri], refresh, _time, NullLogger<JwksKeyProvider>.Instance);

    public void Dispose()
    {
        _rsa.Dispose();
        _ec.Dispose();
        _next.Dispose();
        TestFiles.TryDeleteDirectory(_dir);
    }
}
