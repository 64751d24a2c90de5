using Microsoft.Extensions.Time.Testing;
using Tempora.Server.Memory;

namespace Tempora.EndToEnd.Tests.Memory;

/// <summary>
/// The settle collection runs once per idle period that follows a burst of allocations: never while the process is
/// busy, never for a process that has done nothing since the last one, and again after the next burst. The clock and
/// the allocation counter are the test's.
/// </summary>
public sealed class IdleGcSettlerTests
{
    private readonly FakeTimeProvider _time = new();
    private long _allocated;
    private int _settles;

    private IdleGcSettler NewSettler() => new(_time, () => _allocated, () => _settles++);

    /// <summary>Allocates <paramref name="bytes"/> during each of <paramref name="periods"/> check periods.</summary>
    private void Run(int periods, long bytes)
    {
        for (var i = 0; i < periods; i++)
        {
            _allocated += bytes;
            _time.Advance(IdleGcSettler.CheckEvery);
        }
    }

    [Fact]
    public async Task Settle_FreshIdleProcess_NeverRuns()
    {
        using var settler = NewSettler();
        await settler.StartAsync(CancellationToken.None);
        Run(periods: 20, bytes: 10_000);
        Assert.Equal(0, _settles);
    }

    [Fact]
    public async Task Settle_WhileBusy_WaitsForAnIdlePeriod_ThenRunsOnce()
    {
        using var settler = NewSettler();
        await settler.StartAsync(CancellationToken.None);

        Run(periods: 5, bytes: 100L << 20);
        Assert.Equal(0, _settles);

        Run(periods: 1, bytes: 10_000);
        Assert.Equal(1, _settles);

        Run(periods: 20, bytes: 10_000);
        Assert.Equal(1, _settles);
        Assert.Equal(1, settler.Settled);
    }

    [Fact]
    public async Task Settle_NextBurst_RunsAgainOnceIdle()
    {
        using var settler = NewSettler();
        await settler.StartAsync(CancellationToken.None);
        Run(periods: 2, bytes: 100L << 20);
        Run(periods: 2, bytes: 0);
        Assert.Equal(1, _settles);

        Run(periods: 1, bytes: 2 * IdleGcSettler.BurstBytes);
        Assert.Equal(1, _settles);
        Run(periods: 3, bytes: 0);
        Assert.Equal(2, _settles);
    }

    [Fact]
    public async Task Settle_SmallTrickleAfterSettle_DoesNotRunAgain()
    {
        using var settler = NewSettler();
        await settler.StartAsync(CancellationToken.None);
        Run(periods: 1, bytes: 100L << 20);
        Run(periods: 1, bytes: 0);
        Assert.Equal(1, _settles);

        // Idle periods that add up to less than a burst (probes, metrics scrapes) leave it alone.
        Run(periods: 10, bytes: IdleGcSettler.IdleBytes / 2);
        Assert.Equal(1, _settles);
    }

    [Fact]
    public async Task Stop_DisposesTheTimer_NoMoreLooks()
    {
        var settler = NewSettler();
        await settler.StartAsync(CancellationToken.None);
        Run(periods: 1, bytes: 100L << 20);
        await settler.StopAsync(CancellationToken.None);
        Run(periods: 3, bytes: 0);
        Assert.Equal(0, _settles);
    }
}
