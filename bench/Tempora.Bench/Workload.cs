using System.Diagnostics;

namespace Tempora.Bench;

/// <summary>
/// Starts workflow <paramref name="id"/> with <paramref name="payload"/> as input: the outer task completes when the
/// server has acknowledged the start, the inner one with the workflow's result. The SDK driver and the raw driver
/// each provide one.
/// </summary>
internal delegate Task<Task<string>> StartWorkflow(string id, string payload, CancellationToken ct);

/// <summary>What one measured run of the workload produced.</summary>
internal sealed record WorkloadResult(
    int Completed, int Errors, bool TimedOut, double WallS, double StartsS, double[] SortedLatenciesMs, string? FirstError);

/// <summary>
/// The shared workload (../shared/peers/README.md): start N workflows with at most C start requests in flight; once a
/// start is acknowledged, wait for that workflow's result with no cap on how many results are awaited at once; check
/// that each result equals its input. Latency runs from just before the start request to the moment the result is seen.
/// </summary>
internal sealed class Workload
{
    private readonly StartWorkflow _start;
    private readonly BenchOptions _o;
    private readonly string _runId;
    private readonly double[] _latencies;
    private readonly List<Task> _waits = [];
    private readonly PhaseProbe _probe;
    private int _next = -1;
    private int _completed;
    private int _errors;
    private string? _firstError;

    public Workload(StartWorkflow start, BenchOptions o, string runId)
    {
        _start = start;
        _o = o;
        _runId = runId;
        _latencies = new double[o.Workflows];
        _probe = new PhaseProbe(o.Workflows, o.PhaseSamples);
    }

    /// <summary>The sampled workflows' timings; <see cref="PhaseProbe.SummarizeAsync"/> after the run.</summary>
    public PhaseProbe Probe => _probe;

    /// <summary>The input of workflow <paramref name="i"/>: its index, padded to the payload size so every result is distinct.</summary>
    public static string Payload(long i, int bytes)
    {
        var digits = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return digits.Length >= bytes ? digits : digits + new string('x', bytes - digits.Length);
    }

    /// <summary>One workflow end to end (the warm-up), bounded by <paramref name="timeout"/>.</summary>
    public static async Task RunOneAsync(StartWorkflow start, BenchOptions o, string id, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var payload = Payload(0, o.PayloadBytes);
        var result = await await start(id, payload, cts.Token);
        if (result != payload)
        {
            throw new InvalidOperationException($"warm-up workflow {id} returned '{result}', not its input '{payload}'");
        }
    }

    public async Task<WorkloadResult> RunAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(_o.TimeoutS));
        var t0 = Stopwatch.GetTimestamp();
        var starters = new Task[Math.Min(_o.Concurrency, _o.Workflows)];
        for (var s = 0; s < starters.Length; s++)
        {
            starters[s] = StarterAsync(cts.Token);
        }
        await Task.WhenAll(starters);
        var startsS = Stopwatch.GetElapsedTime(t0).TotalSeconds;

        Task[] waits;
        lock (_waits)
        {
            waits = [.. _waits];
        }
        var timedOut = false;
        try
        {
            // The deadline cancels every outstanding GetResult call; the extra 30 s only guard against an SDK call
            // that would not honour its cancellation token.
            var left = TimeSpan.FromSeconds(_o.TimeoutS) - Stopwatch.GetElapsedTime(t0);
            await Task.WhenAll(waits).WaitAsync(left > TimeSpan.Zero ? left + TimeSpan.FromSeconds(30) : TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            timedOut = true;
        }
        var wallS = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        timedOut |= cts.IsCancellationRequested;

        var completed = Volatile.Read(ref _completed);
        var sorted = new double[completed];
        var k = 0;
        foreach (var latency in _latencies)
        {
            if (latency > 0 && k < sorted.Length)
            {
                sorted[k++] = latency;
            }
        }
        Array.Sort(sorted, 0, k);
        return new WorkloadResult(completed, Volatile.Read(ref _errors), timedOut, wallS, startsS, sorted[..k], _firstError);
    }

    private async Task StarterAsync(CancellationToken ct)
    {
        // Bounded: each iteration takes one index below N, and the loop also ends at the deadline.
        while (true)
        {
            var i = Interlocked.Increment(ref _next);
            if (i >= _o.Workflows || ct.IsCancellationRequested)
            {
                return;
            }
            var payload = Payload(i, _o.PayloadBytes);
            var slot = _probe.Slot(i);
            var id = $"bench-{_runId}-{i}";
            if (slot >= 0)
            {
                _probe.Started(slot, id, DateTime.UtcNow);
            }
            var started = Stopwatch.GetTimestamp();
            Task<string> result;
            try
            {
                result = await _start(id, payload, ct);
            }
            catch (Exception e)
            {
                Fail(e);
                continue;
            }
            var wait = WaitAsync(result, id, i, slot, payload, started);
            lock (_waits)
            {
                _waits.Add(wait);
            }
            if (_o.ClosedLoop)
            {
                await wait; // closed loop: this starter's next start waits for this workflow's result
            }
        }
    }

    private async Task WaitAsync(Task<string> resultTask, string id, int i, int slot, string expected, long started)
    {
        try
        {
            var result = await resultTask;
            if (slot >= 0)
            {
                _probe.ResultSeen(slot, DateTime.UtcNow);
            }
            if (result != expected)
            {
                Fail(new InvalidOperationException($"workflow {id} returned '{result}', not its input '{expected}'"));
                return;
            }
            _latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            Interlocked.Increment(ref _completed);
        }
        catch (Exception e)
        {
            Fail(e);
        }
    }

    private void Fail(Exception e)
    {
        Interlocked.Increment(ref _errors);
        var text = e.ToString();
        Interlocked.CompareExchange(ref _firstError, text.Length > 500 ? text[..500] : text, null);
    }
}
