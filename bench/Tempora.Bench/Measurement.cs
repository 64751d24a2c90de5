using System.Diagnostics;
using System.Text.Json.Nodes;
using static Tempora.Bench.Stats;

namespace Tempora.Bench;

/// <summary>
/// One measured load, whichever driver plays client and worker: warm up, optionally measure the idle server, run the
/// <see cref="Workload"/> while sampling the server's /proc (and PostgreSQL's), read the server's and PostgreSQL's
/// counters, optionally measure the idle server again after the load, and build the JSON line.
/// </summary>
internal static class Measurement
{
    private static readonly TimeSpan SampleInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>The warm-up, the idle window, the measured run and its counters, the idle window after it: the JSON line.</summary>
    public static async Task<JsonObject> MeasureAsync(BenchOptions o, LoadDriver driver, string runId, long? serverStartRssKb, CancellationToken ct)
    {
        if (o.Warmup && o.WarmupWorkflows > 0)
        {
            Log($"warm-up: {o.WarmupWorkflows} workflow(s)");
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Clamp(o.Concurrency, 1, o.WarmupWorkflows), CancellationToken = ct };
            await Parallel.ForEachAsync(Enumerable.Range(0, o.WarmupWorkflows), parallel, async (i, _) =>
                await Workload.RunOneAsync(driver.Start, o, $"bench-{runId}-warmup-{i}", TimeSpan.FromSeconds(60)));
        }

        JsonObject? idle = null;
        if (o.IdleS > 0)
        {
            Log($"measuring the idle server for {o.IdleS} s");
            idle = await MeasureIdleAsync(o, o.IdleS, ct);
        }

        PgCounters? pgBefore = null;
        if (o.PgStats is { } cs)
        {
            pgBefore = await PgCounters.ReadAsync(cs, o.PgVisibilityDatabase, ct);
        }

        var metricsBefore = await ServerMetrics.ScrapeAsync(o.ServerMetricsUrl, ct);
        var server = o.ServerPid is { } pid ? new ProcSampler(pid, tree: false, SampleInterval) : null;
        var db = o.DbPid is { } dpid ? new ProcSampler(dpid, tree: true, SampleInterval) : null;
        server?.Start();
        db?.Start();
        var me = Process.GetCurrentProcess();
        var driverCpu0 = me.TotalProcessorTime;
        var driverRuntime0 = RuntimeCounters.OfThisProcess();

        Log($"running {o.Workflows} workflows × {o.Activities} activities at concurrency {o.Concurrency}"
            + $"{(o.ClosedLoop ? " (closed loop)" : "")}{(o.EagerStart ? ", eager start" : "")}, {driver.Name} driver");
        var workload = new Workload(driver.Start, o, runId);
        var r = await workload.RunAsync();

        me.Refresh();
        var driverCpuS = (me.TotalProcessorTime - driverCpu0).TotalSeconds;
        var driverRuntime = RuntimeCounters.OfThisProcess().Since(driverRuntime0);
        server?.Stop();
        db?.Stop();
        Log($"done: {r.Completed} completed, {r.Errors} errors in {r.WallS:F2} s");
        var metricsAfter = await ServerMetrics.ScrapeAsync(o.ServerMetricsUrl, ct);

        JsonObject? pgPerWf = null;
        if (o.PgStats is { } cs2 && pgBefore is { } before)
        {
            var (after, settled, settleS) = await SettleAsync(cs2, o.PgVisibilityDatabase, before, r.Completed, ct);
            var n = (double)Math.Max(1, r.Completed);
            var tables = new JsonObject();
            foreach (var (table, a) in after.Tables.OrderBy(t => t.Key, StringComparer.Ordinal))
            {
                var b = before.Tables.TryGetValue(table, out var x) ? x : default;
                var (ins, upd, del) = ((a.Ins - b.Ins) / n, (a.Upd - b.Upd) / n, (a.Del - b.Del) / n);
                if (ins + upd + del > 0)
                {
                    // Rows inserted, updated and deleted per workflow.
                    tables[table] = new JsonArray(R(ins), R(upd), R(del));
                }
            }
            pgPerWf = new JsonObject
            {
                ["commits"] = R((after.Commits - before.Commits) / n),
                ["wal_kb"] = R((after.WalBytes - before.WalBytes) / 1024.0 / n),
                ["wal_syncs"] = R((after.WalSyncs - before.WalSyncs) / n),
                ["rows_ins_upd_del"] = tables,
                ["settled"] = settled,
                ["settle_s"] = R(settleS, 1),
            };
        }

        // After the measurement and the counters: reading histories is load of its own.
        var phases = await workload.Probe.SummarizeAsync(driver.History, ct);

        // After everything the load caused has been read: does the server return to idle (CPU, memory)?
        JsonObject? idleAfter = null;
        if (o.IdleAfterS > 0)
        {
            Log($"measuring the idle server after the load for {o.IdleAfterS} s");
            idleAfter = await MeasureIdleAsync(o, o.IdleAfterS, ct);
        }

        var perWf = (double)Math.Max(1, r.Completed);
        var json = new JsonObject
        {
            ["kind"] = "load",
            ["driver"] = driver.Name,
            ["label"] = o.Label,
            ["store"] = o.Store,
            ["workflows"] = o.Workflows,
            ["completed"] = r.Completed,
            ["errors"] = r.Errors,
            ["timed_out"] = r.TimedOut,
            ["activities"] = o.Activities,
            ["concurrency"] = o.Concurrency,
            ["closed_loop"] = o.ClosedLoop,
            ["eager_start"] = o.EagerStart,
            ["payload_bytes"] = o.PayloadBytes,
            ["wall_s"] = R(r.WallS),
            ["wf_per_s"] = R(r.Completed / r.WallS, 1),
            ["starts_s"] = R(r.StartsS),
            ["p50_ms"] = Percentile(r.SortedLatenciesMs, 50),
            ["p95_ms"] = Percentile(r.SortedLatenciesMs, 95),
            ["p99_ms"] = Percentile(r.SortedLatenciesMs, 99),
            ["max_ms"] = r.SortedLatenciesMs.Length > 0 ? R(r.SortedLatenciesMs[^1], 1) : null,
            // VmHWM covers what 250 ms samples miss; it also covers the start-up and the warm-up (a fresh server per run).
            ["server_peak_rss_mb"] = server is null ? null : Mb(Math.Max(server.PeakRssKb, server.HwmKb)),
            ["server_idle_rss_mb"] = server is null ? null : Mb(server.FirstRssKb),
            ["server_start_rss_mb"] = serverStartRssKb is { } s0 ? Mb(s0) : null,
            ["server_end_rss_mb"] = server is null ? null : Mb(server.LastRssKb),
            ["server_cpu_s"] = server is null ? null : R(server.CpuSeconds),
            ["server_cpu_ms_per_wf"] = server is null ? null : R(server.CpuSeconds * 1000 / perWf),
            ["driver_cpu_s"] = R(driverCpuS),
            ["driver_cpu_ms_per_wf"] = R(driverCpuS * 1000 / perWf),
            ["driver_peak_rss_mb"] = ProcFs.ReadMemory(Environment.ProcessId) is { } m ? Mb(m.HwmKb) : null,
        };
        if (db is not null)
        {
            json["db_start_pss_mb"] = Mb(db.FirstPssKb);
            json["db_peak_pss_mb"] = Mb(db.PeakPssKb);
            json["db_peak_rss_sum_mb"] = Mb(db.PeakRssKb);
            json["db_cpu_s"] = R(db.CpuSeconds);
            json["db_cpu_ms_per_wf"] = R(db.CpuSeconds * 1000 / perWf);
        }
        json["pg_per_wf"] = pgPerWf;
        json["server_calls_per_wf"] = metricsAfter is not null && metricsBefore is not null ? metricsAfter.Since(metricsBefore, r.Completed) : null;
        // The pauses of both processes over the run, beside the tail (phases_ms.slowest_1pct).
        json["server_runtime"] = metricsAfter is not null && metricsBefore is not null ? metricsAfter.Runtime.Since(metricsBefore.Runtime) : null;
        json["driver_runtime"] = driverRuntime;
        json["phases_ms"] = phases;
        json["idle"] = idle;
        json["idle_after"] = idleAfter;
        json["worker"] = driver.Worker;
        json["grpc_compression"] = o.Gzip ? "gzip" : "none";
        json["sdk"] = driver.Sdk;
        json["first_error"] = r.FirstError ?? driver.FirstWorkerError();
        return json;
    }

    /// <summary>
    /// PostgreSQL backends publish their statistics only between statements, and a busy or idle backend can hold
    /// them back for seconds (measured: up to ~12 s on PostgreSQL 15). So the counters are read again every second
    /// until the per-table row counts stop changing and every completed workflow's execution row is counted
    /// (table `executions`), for at most 30 s; the JSON says whether that happened.
    /// </summary>
    private static async Task<(PgCounters After, bool Settled, double Seconds)> SettleAsync(
        string connectionString, string? visibilityDatabase, PgCounters before, int completed, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        PgCounters? previous = null;
        while (true)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
            var after = await PgCounters.ReadAsync(connectionString, visibilityDatabase, ct);
            var executions = after.Tables.TryGetValue("executions", out var a) ? a.Ins - (before.Tables.TryGetValue("executions", out var b) ? b.Ins : 0) : completed;
            var stable = previous is not null && previous.Tables.Count == after.Tables.Count
                && after.Tables.All(t => previous.Tables.TryGetValue(t.Key, out var p) && p == t.Value);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
            if (stable && executions >= completed)
            {
                return (after, true, elapsed);
            }
            if (elapsed > 30)
            {
                return (after, false, elapsed);
            }
            previous = after;
        }
    }

    private static async Task<JsonObject> MeasureIdleAsync(BenchOptions o, int seconds, CancellationToken ct)
    {
        var interval = TimeSpan.FromSeconds(1);
        var metricsBefore = await ServerMetrics.ScrapeAsync(o.ServerMetricsUrl, ct);
        var server = o.ServerPid is { } pid ? new ProcSampler(pid, tree: false, interval) : null;
        var db = o.DbPid is { } dpid ? new ProcSampler(dpid, tree: true, interval) : null;
        server?.Start();
        db?.Start();
        await Task.Delay(TimeSpan.FromSeconds(seconds), ct);
        server?.Stop();
        db?.Stop();
        var idle = new JsonObject
        {
            ["seconds"] = seconds,
            // Peak sampled in the window (VmHWM would include the start-up and the warm-up).
            ["server_rss_mb"] = server is null ? null : Mb(server.PeakRssKb),
            ["server_end_rss_mb"] = server is null ? null : Mb(server.LastRssKb),
            ["server_cpu_pct"] = server is null ? null : R(100 * server.CpuSeconds / seconds, 1),
        };
        if (db is not null)
        {
            idle["db_pss_mb"] = Mb(db.PeakPssKb);
            idle["db_cpu_pct"] = R(100 * db.CpuSeconds / seconds, 1);
        }
        return idle;
    }
}
