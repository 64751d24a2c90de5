using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using static Tempora.Bench.Stats;

namespace Tempora.Bench;

/// <summary>
/// The start-up mode: launch the published `tempora start-dev` and time from process start until an SDK client has
/// connected (which calls GetSystemInfo) and DescribeNamespace("default") has answered. Each repetition launches on a
/// new SQLite file (first start: the file is created and migrated), stops the server with SIGTERM, then launches
/// again on the same file (a restart). Prints the medians as one JSON line.
/// </summary>
internal static class StartupRun
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);

    public static async Task<int> RunAsync(BenchOptions o, CancellationToken ct)
    {
        var binary = Path.GetFullPath(o.TemporaBinary!);
        if (!File.Exists(binary))
        {
            await Console.Error.WriteLineAsync($"bench: no such file: {binary}");
            return 2;
        }

        // The SDK loads its native runtime on the first connect; pay that here, not in the first measurement.
        try
        {
            await TemporalClient.ConnectAsync(new($"127.0.0.1:{FreePort()}"));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Nothing listens there: expected.
        }

        var fresh = new List<double>();
        var restart = new List<double>();
        var rss = new List<double>();
        for (var r = 1; r <= o.Repeat; r++)
        {
            var dir = Directory.CreateTempSubdirectory("tempora-startup-");
            try
            {
                var db = Path.Combine(dir.FullName, "tempora.db");
                var (ms, rssKb) = await LaunchAsync(binary, db, dir.FullName, ct);
                fresh.Add(ms);
                rss.Add(Mb(rssKb));
                var (ms2, _) = await LaunchAsync(binary, db, dir.FullName, ct);
                restart.Add(ms2);
                Log($"start-up {r}/{o.Repeat}: new file {ms:F0} ms, restart {ms2:F0} ms, RSS when ready {Mb(rssKb)} MB");
            }
            finally
            {
                dir.Delete(recursive: true);
            }
        }

        var json = new JsonObject
        {
            ["kind"] = "startup",
            ["label"] = o.Label,
            ["store"] = "sqlite",
            ["repeat"] = o.Repeat,
            ["startup_ms"] = Median(fresh) is { } f ? R(f, 0) : null,
            ["startup_restart_ms"] = Median(restart) is { } rs ? R(rs, 0) : null,
            ["ready_rss_mb"] = Median(rss) is { } m ? R(m, 1) : null,
            ["startup_ms_all"] = new JsonArray([.. fresh.Select(x => (JsonNode?)R(x, 0))]),
            ["startup_restart_ms_all"] = new JsonArray([.. restart.Select(x => (JsonNode?)R(x, 0))]),
        };
        Console.Out.WriteLine(json.ToJsonString());
        return 0;
    }

    /// <summary>Milliseconds from process start until the SDK's connect and a DescribeNamespace succeed; RSS then.</summary>
    private static async Task<(double Ms, long RssKb)> LaunchAsync(string binary, string db, string workDir, CancellationToken ct)
    {
        var port = FreePort();
        var psi = new ProcessStartInfo(binary)
        {
            WorkingDirectory = workDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "start-dev", "--ip", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--metrics-port", "0", "--http-port", "0", "--headless", "--log-level", "warn", "--db-filename", db })
        {
            psi.ArgumentList.Add(arg);
        }
        var output = new StringBuilder();
        void Keep(object _, DataReceivedEventArgs e)
        {
            lock (output)
            {
                if (e.Data is { } line && output.Length < 4000)
                {
                    output.AppendLine(line);
                }
            }
        }

        var sw = Stopwatch.StartNew();
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {binary}");
        process.OutputDataReceived += Keep;
        process.ErrorDataReceived += Keep;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var options = new TemporalClientConnectOptions($"127.0.0.1:{port}") { Namespace = "default" };
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"tempora exited with code {process.ExitCode} before it was ready:\n{output}");
                }
                if (sw.Elapsed > ReadyTimeout)
                {
                    throw new TimeoutException($"tempora was not ready within {ReadyTimeout.TotalSeconds} s:\n{output}");
                }
                try
                {
                    var client = await TemporalClient.ConnectAsync(options);
                    await client.WorkflowService.DescribeNamespaceAsync(new DescribeNamespaceRequest { Namespace = "default" });
                    break;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    await Task.Delay(5, ct);
                }
            }
            var ms = sw.Elapsed.TotalMilliseconds;
            return (ms, ProcFs.ReadMemory(process.Id)?.RssKb ?? 0);
        }
        finally
        {
            await StopAsync(process);
        }
    }

    /// <summary>SIGTERM (a graceful stop, as Ctrl+C), then SIGKILL if it has not exited within 15 s.</summary>
    private static async Task StopAsync(Process process)
    {
        if (process.HasExited)
        {
            return;
        }
        _ = Kill(process.Id, 15);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            await process.WaitForExitAsync(CancellationToken.None);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    // DllImport rather than LibraryImport, whose generated code needs unsafe blocks for this one call.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
