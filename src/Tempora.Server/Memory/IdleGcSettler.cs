using Microsoft.Extensions.Hosting;

namespace Tempora.Server.Memory;

/// <summary>
/// Hands the memory a burst of work left behind back to the system once the process has gone idle. After a load the
/// GC holds the burst's dead objects in generation 2 and its free regions committed: an idle process allocates too
/// little for another collection to come, so the resident size stayed at the load's level (233 MB after 2,000
/// workflows, 21 MB of it live). One aggressive collection, once the process has been idle for a whole
/// <see cref="CheckEvery"/>, frees them. It runs once per idle period, never in a loop: only when the process
/// allocated at least <see cref="BurstBytes"/> since the last one.
/// </summary>
public sealed class IdleGcSettler : IHostedService, IDisposable
{
    /// <summary>How often the allocation counter is read; a whole period under <see cref="IdleBytes"/> is idle.</summary>
    public static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(30);

    /// <summary>At most this much allocated in one period counts as idle (a metrics scrape or a health probe allocates
    /// tens of kilobytes; a workflow a few hundred).</summary>
    public const long IdleBytes = 4L << 20;

    /// <summary>At least this much allocated since the last settle makes another one worth its pause (a few
    /// milliseconds for the tens of megabytes live after a load).</summary>
    public const long BurstBytes = 64L << 20;

    private readonly TimeProvider _time;
    private readonly Func<long> _allocatedBytes;
    private readonly Action _settle;
    private readonly Lock _lock = new();
    private ITimer? _timer;
    private long _lastLook;
    private long _lastSettle;

    public IdleGcSettler(TimeProvider time)
        : this(time, () => GC.GetTotalAllocatedBytes(precise: false), Settle)
    {
    }

    /// <summary>For tests: the allocation counter and the settle action are the caller's.</summary>
    public IdleGcSettler(TimeProvider time, Func<long> allocatedBytes, Action settle)
    {
        _time = time;
        _allocatedBytes = allocatedBytes;
        _settle = settle;
    }

    /// <summary>How many times the settle ran.</summary>
    public int Settled { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            // The start-up's own allocations count as a burst: the first idle period after it settles them too.
            _lastLook = _allocatedBytes();
            _timer = _time.CreateTimer(_ => Look(), null, CheckEvery, CheckEvery);
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    /// <summary>One look at the counter: settles when the last period was idle and enough was allocated since the last settle.</summary>
    public void Look()
    {
        lock (_lock)
        {
            var now = _allocatedBytes();
            var idle = now - _lastLook < IdleBytes;
            _lastLook = now;
            if (!idle || now - _lastSettle < BurstBytes)
            {
                return;
            }
            _settle();
            _lastSettle = _allocatedBytes();
            _lastLook = _lastSettle;
            Settled++;
        }
    }

    /// <summary>
    /// A blocking, compacting collection of every generation that also decommits the free regions and trims the
    /// shared array pools (GCCollectionMode.Aggressive), so that the resident size falls back near the live heap.
    /// </summary>
    private static void Settle() => GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);

    public void Dispose()
    {
        lock (_lock)
        {
            _timer?.Dispose();
            _timer = null;
        }
    }
}
