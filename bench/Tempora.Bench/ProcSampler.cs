namespace Tempora.Bench;

/// <summary>
/// Samples one process (or a process and its children: a PostgreSQL postmaster and its backends) on a dedicated
/// thread, so that a busy thread pool cannot delay the samples. Memory: first and peak RSS (for a single process
/// also the kernel's VmHWM); for a tree, summed RSS and summed PSS (summed RSS counts shared buffers once per
/// backend, PSS does not). CPU: ticks between <see cref="Start"/> and <see cref="Stop"/>.
/// </summary>
internal sealed class ProcSampler
{
    private readonly int _pid;
    private readonly bool _tree;
    private readonly TimeSpan _interval;
    private readonly ManualResetEventSlim _stop = new();
    private Thread? _thread;
    private long _cpu0;
    private long _cpuTicks;
    private bool _sampled;

    public ProcSampler(int pid, bool tree, TimeSpan interval)
    {
        _pid = pid;
        _tree = tree;
        _interval = interval;
    }

    /// <summary>Summed RSS (KiB) of the first sample.</summary>
    public long FirstRssKb { get; private set; }

    /// <summary>Summed PSS (KiB) of the first sample (tree only).</summary>
    public long FirstPssKb { get; private set; }

    /// <summary>Highest summed RSS sampled.</summary>
    public long PeakRssKb { get; private set; }

    /// <summary>The kernel's VmHWM at <see cref="Stop"/> (single process only): the peak over the process's whole life.</summary>
    public long HwmKb { get; private set; }

    /// <summary>Highest summed PSS seen (tree only).</summary>
    public long PeakPssKb { get; private set; }

    /// <summary>Summed RSS of the last sample.</summary>
    public long LastRssKb { get; private set; }

    /// <summary>CPU seconds between <see cref="Start"/> and <see cref="Stop"/>.</summary>
    public double CpuSeconds => _cpuTicks / ProcFs.ClockTicksPerSecond;

    public void Start()
    {
        _cpu0 = ProcFs.CpuTicks(_pid, _tree);
        Sample();
        _thread = new Thread(Loop) { IsBackground = true, Name = $"proc-sampler-{_pid}" };
        _thread.Start();
    }

    public void Stop()
    {
        _stop.Set();
        _thread?.Join();
        Sample();
        _cpuTicks = ProcFs.CpuTicks(_pid, _tree) - _cpu0;
        if (!_tree && ProcFs.ReadMemory(_pid) is { } m)
        {
            HwmKb = m.HwmKb;
        }
    }

    private void Loop()
    {
        // Bounded by Stop(): the wait returns true once it is called.
        while (!_stop.Wait(_interval))
        {
            Sample();
        }
    }

    private void Sample()
    {
        long rss = 0, pss = 0;
        var pids = _tree ? [_pid, .. ProcFs.Children(_pid)] : new List<int> { _pid };
        foreach (var pid in pids)
        {
            if (ProcFs.ReadMemory(pid) is not { } m)
            {
                continue;
            }
            rss += m.RssKb;
            if (_tree)
            {
                pss += ProcFs.ReadPssKb(pid);
            }
        }
        if (!_sampled)
        {
            _sampled = true;
            FirstRssKb = rss;
            FirstPssKb = pss;
        }
        LastRssKb = rss;
        PeakRssKb = Math.Max(PeakRssKb, rss);
        PeakPssKb = Math.Max(PeakPssKb, pss);
    }
}
