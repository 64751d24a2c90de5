using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Worker;
using static Tempora.Bench.Stats;

namespace Tempora.Bench;

/// <summary>
/// The scale mode (<c>--scale</c>), in two phases around a server restart that bench/scale.sh makes:
/// <c>--scale-phase open</c> starts <c>--open N</c> <see cref="ScaleWorkflow"/> runs (half with a 1 h timer, half
/// waiting on a signal only), waits until each has run its first workflow task, lets the server idle 10 s and
/// records its RSS (again after 70 s, once the server's idle settle ran; and its peak while opening) and the
/// database bytes per open run into <c>--scale-state</c>; <c>--scale-phase drain</c>, launched
/// right after the server was started again, times start-up (from the process's start time in /proc to the first
/// answered DescribeNamespace) and the server's CPU by then, its RSS 10 s later, then signals every run and times their
/// completion. It prints one JSON line of kind "scale".
/// </summary>
internal static class ScaleRun
{
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(10);

    /// <summary>Long enough for the server's idle settle (a whole 30 s check period without work, then one collection).</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(70);

    public static Task<int> RunAsync(BenchOptions o, CancellationToken ct) =>
        o.ScalePhase == "drain" ? DrainAsync(o, ct) : OpenAsync(o, ct);

    private static async Task<int> OpenAsync(BenchOptions o, CancellationToken ct)
    {
        var client = await Connection.ConnectAsync(o, ct);
        var dbBefore = await DatabaseBytesAsync(o, ct);
        using var worker = NewWorker(client, o);
        var n = o.Open;
        var sampler = o.ServerPid is { } serverPid ? new ProcSampler(serverPid, tree: false, TimeSpan.FromMilliseconds(200)) : null;
        sampler?.Start();
        var started = Stopwatch.StartNew();
        await worker.ExecuteAsync(async () =>
        {
            Log($"scale: starting {n} workflows ({o.Concurrency} starts in flight)");
            await ForEachAsync(n, o.Concurrency, i => client.StartWorkflowAsync((ScaleWorkflow wf) => wf.RunAsync(i % 2 == 0),
                new WorkflowOptions(WorkflowId(o, i), o.TaskQueue!)), ct);
            Log($"scale: {n} started in {started.Elapsed.TotalSeconds:F0} s; waiting for their first workflow tasks");
            var deadline = Stopwatch.StartNew();
            while (ScaleWorkflow.FirstTasks < n && deadline.Elapsed < TimeSpan.FromSeconds(o.TimeoutS))
            {
                await Task.Delay(250, ct);
            }
            Log($"scale: {ScaleWorkflow.FirstTasks} of {n} open after {started.Elapsed.TotalSeconds:F0} s");
            await Task.Delay(TimeSpan.FromSeconds(2), ct); // the last completions reach the server
        }, ct);
        var openS = started.Elapsed.TotalSeconds;
        await Task.Delay(Idle, ct);
        var rssKb = o.ServerPid is { } pid ? ProcFs.ReadMemory(pid)?.RssKb ?? 0 : 0;
        var dbAfter = await DatabaseBytesAsync(o, ct);
        await Task.Delay(Settle - Idle, ct);
        var rssSettledKb = o.ServerPid is { } pid2 ? ProcFs.ReadMemory(pid2)?.RssKb ?? 0 : 0;
        sampler?.Stop();
        var state = new JsonObject
        {
            ["open_workflows"] = n,
            ["opened"] = ScaleWorkflow.FirstTasks,
            ["open_s"] = R(openS, 1),
            ["rss_mb"] = Mb(rssKb),
            ["rss_settled_mb"] = Mb(rssSettledKb),
            ["rss_peak_mb"] = sampler is null ? null : Mb(Math.Max(sampler.PeakRssKb, sampler.HwmKb)),
            ["db_bytes"] = dbAfter,
            ["db_bytes_per_wf"] = R((dbAfter - dbBefore) / (double)n, 0),
        };
        await File.WriteAllTextAsync(o.ScaleState!, state.ToJsonString(), ct);
        Log($"scale: open phase {state.ToJsonString()}");
        return ScaleWorkflow.FirstTasks >= n ? 0 : 1;
    }

    private static async Task<int> DrainAsync(BenchOptions o, CancellationToken ct)
    {
        var state = JsonNode.Parse(await File.ReadAllTextAsync(o.ScaleState!, ct))!.AsObject();
        var pid = o.ServerPid ?? throw new InvalidOperationException("--scale-phase drain needs --server-pid");
        var n = o.Open;

        // Ready: the first DescribeNamespace answered (the shards are acquired before the frontend listens).
        TemporalClient? client = null;
        var deadline = Stopwatch.StartNew();
        while (client is null)
        {
            try
            {
                var c = await TemporalClient.ConnectAsync(Connection.Options(o.Address, o.Namespace, o.Gzip));
                await c.WorkflowService.DescribeNamespaceAsync(new DescribeNamespaceRequest { Namespace = o.Namespace });
                client = c;
            }
            catch (Exception e) when (e is not OperationCanceledException && deadline.Elapsed < TimeSpan.FromSeconds(o.ConnectTimeoutS))
            {
                await Task.Delay(10, ct);
            }
        }
        var startupS = ProcessAgeSeconds(pid);
        var startCpuTicks = ProcFs.CpuTicks(pid, tree: false);
        Log($"scale: server ready {startupS:F2} s after it started, {startCpuTicks * 10} ms CPU");
        await Task.Delay(Idle, ct);
        var rssAfterRestartKb = ProcFs.ReadMemory(pid)?.RssKb ?? 0;

        using var worker = NewWorker(client, o);
        var drain = Stopwatch.StartNew();
        var completed = 0;
        await worker.ExecuteAsync(async () =>
        {
            await ForEachAsync(n, o.Concurrency, async i =>
            {
                var handle = client.GetWorkflowHandle<ScaleWorkflow>(WorkflowId(o, i));
                await handle.SignalAsync(wf => wf.FinishAsync());
                await handle.GetResultAsync();
                Interlocked.Increment(ref completed);
            }, ct);
        }, ct);
        var drainS = drain.Elapsed.TotalSeconds;
        var rssEndKb = ProcFs.ReadMemory(pid)?.RssKb ?? 0;

        var json = new JsonObject
        {
            ["kind"] = "scale",
            ["label"] = o.Label,
            ["store"] = o.Store,
            ["open_workflows"] = n,
            ["open_s"] = state["open_s"]?.DeepClone(),
            ["rss_mb"] = state["rss_mb"]?.DeepClone(),
            ["rss_settled_mb"] = state["rss_settled_mb"]?.DeepClone(),
            ["rss_peak_mb"] = state["rss_peak_mb"]?.DeepClone(),
            ["rss_after_restart_mb"] = Mb(rssAfterRestartKb),
            ["rss_after_drain_mb"] = Mb(rssEndKb),
            ["startup_s"] = R(startupS, 2),
            ["server_cpu_ms_per_wf"] = R(startCpuTicks * 1000.0 / ProcFs.ClockTicksPerSecond / n, 4),
            ["db_bytes_per_wf"] = state["db_bytes_per_wf"]?.DeepClone(),
            ["drain_wf_per_s"] = R(completed / drainS, 0),
            ["drained"] = completed,
        };
        Console.Out.WriteLine(json.ToJsonString());
        return completed == n ? 0 : 1;
    }

    private static TemporalWorker NewWorker(TemporalClient client, BenchOptions o) =>
        new(client, new TemporalWorkerOptions(o.TaskQueue!)
        {
            MaxConcurrentWorkflowTasks = o.MaxConcurrentWorkflowTasks,
            MaxConcurrentWorkflowTaskPolls = o.WorkflowTaskPollers,
            MaxCachedWorkflows = o.MaxCachedWorkflows,
        }.AddWorkflow<ScaleWorkflow>());

    private static string WorkflowId(BenchOptions o, int i) => string.Create(CultureInfo.InvariantCulture, $"{o.TaskQueue}-{i}");

    /// <summary>Runs <paramref name="work"/> for 0..n-1, at most <paramref name="concurrency"/> at a time.</summary>
    private static async Task ForEachAsync(int n, int concurrency, Func<int, Task> work, CancellationToken ct)
    {
        var next = -1;
        var workers = Enumerable.Range(0, Math.Min(concurrency, n)).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < n)
            {
                ct.ThrowIfCancellationRequested();
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        await work(i);
                        break;
                    }
                    catch (Exception e) when (attempt < 5 && e is not OperationCanceledException)
                    {
                        await Task.Delay(200 * attempt, ct); // a deadline under load: the call is idempotent by id
                    }
                }
            }
        });
        await Task.WhenAll(workers);
    }

    /// <summary>Seconds since the process started: /proc/PID/stat field 22 (clock ticks after boot) against /proc/uptime.</summary>
    private static double ProcessAgeSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var startTicks = long.Parse(rest[19], CultureInfo.InvariantCulture); // field 22
        var uptime = double.Parse(File.ReadAllText("/proc/uptime").Split(' ')[0], CultureInfo.InvariantCulture);
        return uptime - startTicks / ProcFs.ClockTicksPerSecond;
    }

    /// <summary>SQLite: the file with its -wal and -shm; PostgreSQL: pg_database_size of the main database.</summary>
    private static async Task<long> DatabaseBytesAsync(BenchOptions o, CancellationToken ct)
    {
        if (o.PgStats is { } cs)
        {
            await using var conn = new NpgsqlConnection(cs);
            await conn.OpenAsync(ct);
            await using var cmd = new NpgsqlCommand("SELECT pg_database_size(current_database())", conn);
            return (long)(await cmd.ExecuteScalarAsync(ct))!;
        }
        return o.DbFile is { } file ? new[] { file, file + "-wal", file + "-shm" }.Sum(f => File.Exists(f) ? new FileInfo(f).Length : 0) : 0;
    }
}
