using System.Diagnostics;
using Temporalio.Client;

namespace Tempora.Bench;

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
    private readonly ITemporalClient _client;
    private readonly BenchOptions _o;
    private readonly string _taskQueue;
    private readonly string _runId;
    private readonly double[] _latencies;
    private readonly List<Task> _waits = [];
    private readonly PhaseProbe _probe;
    private int _next = -1;
    private int _completed;
    private int _errors;
    private string? _firstError;

    public Workload(ITemporalClient client, BenchOptions o, string taskQueue, string runId)
    {
        _client = client;
        _o = o;
        _taskQueue = taskQueue;
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
    public static async Task RunOneAsync(ITemporalClient client, BenchOptions o, string taskQueue, string id, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var rpc = new RpcOptions { CancellationToken = cts.Token };
        var payload = Payload(0, o.PayloadBytes);
        var handle = await client.StartWorkflowAsync(BenchWorkflow.Name, [new BenchInput(payload, o.Activities)], new(id, taskQueue) { Rpc = rpc });
        var result = await handle.GetResultAsync<string>(rpcOptions: rpc);
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
            var rpc = new RpcOptions { CancellationToken = ct };
            var slot = _probe.Slot(i);
            var id = $"bench-{_runId}-{i}";
            if (slot >= 0)
            {
                _probe.Started(slot, id, DateTime.UtcNow);
            }
            var started = Stopwatch.GetTimestamp();
            WorkflowHandle handle;
            try
            {
                // By name, not by expression: a typed lambda would be compiled per call, driver CPU taken from the
                // server on the same cores.
                handle = await _client.StartWorkflowAsync(
                    BenchWorkflow.Name, [new BenchInput(payload, _o.Activities)], new(id, _taskQueue) { Rpc = rpc, RequestEagerStart = _o.EagerStart });
            }
            catch (Exception e)
            {
                Fail(e);
                continue;
            }
            var wait = WaitAsync(handle, i, slot, payload, started, rpc);
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

    private async Task WaitAsync(WorkflowHandle handle, int i, int slot, string expected, long started, RpcOptions rpc)
    {
        try
        {
            var result = await handle.GetResultAsync<string>(rpcOptions: rpc);
            if (slot >= 0)
            {
                _probe.ResultSeen(slot, DateTime.UtcNow);
            }
            if (result != expected)
            {
                Fail(new InvalidOperationException($"workflow {handle.Id} returned '{result}', not its input '{expected}'"));
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
