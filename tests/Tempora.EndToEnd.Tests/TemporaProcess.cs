using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Tempora.Persistence.Postgres;

namespace Tempora.EndToEnd.Tests;

/// <summary>How to run a <see cref="TemporaProcess"/>: `tempora start-dev` on a SQLite file, or `tempora start` on PostgreSQL.</summary>
internal sealed record TemporaProcessOptions
{
    /// <summary>The SQLite file of `tempora start-dev`; used when <see cref="Postgres"/> is null.</summary>
    public string? DbFile { get; init; }

    /// <summary>When set, runs the production `tempora start` on these databases (passed as environment variables).</summary>
    public PostgresSettings? Postgres { get; init; }

    /// <summary>Runs `tempora schema setup` with the same environment first (PostgreSQL only; safe to repeat).</summary>
    public bool SetupSchema { get; init; }

    /// <summary>gRPC port; 0 picks a free one. A restart can pass the previous <see cref="TemporaProcess.Port"/> to keep clients working.</summary>
    public int Port { get; init; }

    /// <summary>debug, info, warn or error.</summary>
    public string LogLevel { get; init; } = "info";

    /// <summary>Prefix of the log file under e2e-logs.</summary>
    public string LogName { get; init; } = "tempora";

    /// <summary>More flags for the server command (for example --log-format json).</summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];

    /// <summary>More environment variables for the server (for example TEMPORA_RUN_CACHE_MAX_MIB).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// The real `tempora` executable in a child process, so a test can kill it with SIGKILL or stop it with SIGTERM.
/// Its stdout and stderr go to a file under e2e-logs next to the test assembly (<see cref="LogFile"/>).
/// </summary>
internal sealed partial class TemporaProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly ProcessLog _log;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _output;

    private TemporaProcess(Process process, ProcessLog log, System.Collections.Concurrent.ConcurrentQueue<string> output, string address,
        Task<string> metricsAddress)
    {
        _process = process;
        _log = log;
        _output = output;
        Address = address;
        MetricsAddress = metricsAddress;
        Port = int.Parse(address[(address.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
    }

    /// <summary>host:port of the gRPC frontend.</summary>
    public string Address { get; }

    /// <summary>host:port of /metrics, as the banner prints it (the line after the gRPC address).</summary>
    public Task<string> MetricsAddress { get; }

    /// <summary>The gRPC port (the one a restart passes to keep the same address).</summary>
    public int Port { get; }

    private bool _disposed;

    /// <summary>The OS process id.</summary>
    public int Pid => _process.Id;

    /// <summary>Where the child's stdout and stderr go.</summary>
    public string LogFile => _log.Path;

    public bool HasExited => _process.HasExited;

    /// <summary>Every line the server wrote to stdout so far.</summary>
    public IReadOnlyList<string> OutputLines => [.. _output];

    /// <summary>Starts `tempora start-dev` on a free port with the given SQLite file and waits until it listens.</summary>
    public static Task<TemporaProcess> StartAsync(string dbFile) =>
        StartAsync(new TemporaProcessOptions { DbFile = dbFile, LogLevel = "warn", LogName = "tempora-dev" });

    /// <summary>start-dev on the SQLite file of <paramref name="db"/>, or `tempora start` (schema set up first) on its PostgreSQL databases.</summary>
    public static Task<TemporaProcess> StartForAsync(TestDatabase db, int port = 0, string logName = "tempora")
    {
        ArgumentNullException.ThrowIfNull(db);
        return StartAsync(db.Postgres is { } pg
            ? new TemporaProcessOptions { Postgres = pg, SetupSchema = true, Port = port, LogName = logName }
            : new TemporaProcessOptions { DbFile = db.DbFile, Port = port, LogName = logName });
    }

    /// <summary>Starts the server the options describe and waits until it prints the address it listens on.</summary>
    public static async Task<TemporaProcess> StartAsync(TemporaProcessOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var log = new ProcessLog(options.LogName);
        try
        {
            if (options.Postgres is not null && options.SetupSchema)
            {
                await SetupSchemaAsync(options, log);
            }

            var process = Launch(ServerArguments(options).Concat(options.ExtraArguments), options, log);
            var address = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            var metricsAddress = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is { } line)
                {
                    log.Write("out", line);
                    output.Enqueue(line);
                    if (ServerLine().Match(line) is { Success: true } m)
                    {
                        address.TrySetResult(m.Groups[1].Value);
                    }
                    else if (MetricsLine().Match(line) is { Success: true } metrics)
                    {
                        metricsAddress.TrySetResult(metrics.Groups[1].Value);
                    }
                }
            };
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is { } line)
                {
                    log.Write("err", line);
                }
            };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            _ = process.WaitForExitAsync().ContinueWith(
                _ => address.TrySetException(new InvalidOperationException(
                    $"tempora exited with code {process.ExitCode} before listening; log {log.Path}:{Environment.NewLine}{log.Tail()}")),
                TaskScheduler.Default);
            try
            {
                var listening = await address.Task.WithTimeout($"tempora to print its address (log {log.Path})", StartTimeout);
                log.Write("test", $"listening on {listening}, pid {process.Id}");
                return new TemporaProcess(process, log, output, listening, metricsAddress.Task);
            }
            catch
            {
                await KillTreeAsync(process);
                process.Dispose();
                throw;
            }
        }
        catch
        {
            log.Dispose();
            throw;
        }
    }

    /// <summary>SIGKILL: no shutdown code runs, exactly like a crash or an OOM kill.</summary>
    public async Task KillAsync()
    {
        _log.Write("test", "SIGKILL");
        await KillTreeAsync(_process);
    }

    /// <summary>SIGTERM, then waits for the process to exit (a graceful stop); returns the exit code.</summary>
    /// <exception cref="TimeoutException">The process did not exit within <paramref name="timeout"/> (it is killed then).</exception>
    public async Task<int> StopAsync(TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        if (!_process.HasExited)
        {
            _log.Write("test", "SIGTERM");
            using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)])
            {
                UseShellExecute = false,
            }) ?? throw new InvalidOperationException("could not run kill");
            await kill.WaitForExitAsync().WithTimeout("kill -TERM to return");
            try
            {
                await _process.WaitForExitAsync().WithTimeout($"tempora (pid {_process.Id}) to exit after SIGTERM (log {_log.Path})", limit);
            }
            catch (TimeoutException)
            {
                await KillTreeAsync(_process);
                throw;
            }
        }
        _log.Write("test", $"exited with code {_process.ExitCode}");
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        // A test that disposes a server before restarting it disposes it again in its finally block when the restart
        // fails; the second call must not hide that failure behind "No process is associated with this object".
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        if (!_process.HasExited)
        {
            await KillAsync();
        }
        _process.Dispose();
        _log.Dispose();
        // Each mismatch of the rebuild check failed its request already; this makes sure none went unnoticed.
        if (_output.FirstOrDefault(line => line.Contains("Rebuild check failed", StringComparison.Ordinal)) is { } mismatch)
        {
            throw new InvalidOperationException($"The rebuild check failed in {LogFile}: {mismatch}");
        }
    }

    private static async Task KillTreeAsync(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        await process.WaitForExitAsync().WithTimeout($"pid {process.Id} to die after SIGKILL");
    }

    private static List<string> ServerArguments(TemporaProcessOptions options)
    {
        var port = options.Port.ToString(CultureInfo.InvariantCulture);
        if (options.Postgres is not null)
        {
            return ["start", "--ip", "127.0.0.1", "--port", port, "--ui-port", "0", "--metrics-port", "0", "--http-port", "0", "--log-level", options.LogLevel];
        }
        var dbFile = options.DbFile ?? throw new ArgumentException("Either DbFile or Postgres must be set.", nameof(options));
        return ["start-dev", "--ip", "127.0.0.1", "--port", port, "--metrics-port", "0", "--http-port", "0", "--db-filename", dbFile, "--log-level", options.LogLevel, "--headless"];
    }

    private static async Task SetupSchemaAsync(TemporaProcessOptions options, ProcessLog log)
    {
        using var process = Launch(["schema", "setup"], options, log);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                log.Write("schema-out", line);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                log.Write("schema-err", line);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync().WithTimeout($"tempora schema setup (log {log.Path})", StartTimeout);
        }
        catch (TimeoutException)
        {
            await KillTreeAsync(process);
            throw;
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"tempora schema setup exited with code {process.ExitCode}; log {log.Path}:{Environment.NewLine}{log.Tail()}");
        }
    }

    private static Process Launch(IEnumerable<string> arguments, TemporaProcessOptions options, ProcessLog log)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "tempora.dll"));
        foreach (var arg in arguments)
        {
            info.ArgumentList.Add(arg);
        }
        // Settings the test runner's own environment might carry must not leak into the child.
        foreach (var inherited in new[] { "TEMPORA_CONFIG", "DB", "TEMPORA_DB", "SERVICES", "TEMPORA_SERVICES", "TEMPORA_PORT", "TEMPORA_IP", "BIND_ON_IP" })
        {
            info.Environment.Remove(inherited);
        }
        // As in-process test servers do: every commit is checked against a rebuild of the run from its history.
        info.Environment["TEMPORA_VERIFY_REBUILD"] = "1";
        foreach (var (name, value) in options.Environment)
        {
            info.Environment[name] = value;
        }
        if (options.Postgres is { } pg)
        {
            info.Environment["DB"] = "postgres12";
            info.Environment["POSTGRES_SEEDS"] = pg.Host;
            info.Environment["DB_PORT"] = pg.Port.ToString(CultureInfo.InvariantCulture);
            info.Environment["POSTGRES_USER"] = pg.User;
            info.Environment["POSTGRES_PWD"] = pg.Password;
            info.Environment["DBNAME"] = pg.Database;
            info.Environment["VISIBILITY_DBNAME"] = pg.VisibilityDatabase;
            info.Environment["TEMPORA_DB_SSL_MODE"] = pg.SslMode;
            info.Environment["TEMPORA_DB_MAX_CONNECTIONS"] = pg.MaxConnections.ToString(CultureInfo.InvariantCulture);
            if (pg.ConnectionOptions is { Length: > 0 } extra)
            {
                info.Environment["TEMPORA_DB_OPTIONS"] = extra;
            }
            // No web UI: every role but "web".
            info.Environment["TEMPORA_SERVICES"] = "frontend,history,matching,worker";
        }
        log.Write("test", "dotnet " + string.Join(' ', info.ArgumentList));
        return Process.Start(info) ?? throw new InvalidOperationException("could not start tempora");
    }

    [GeneratedRegex(@"^Server:\s+(\S+:\d+)\s*$")]
    private static partial Regex ServerLine();

    [GeneratedRegex(@"^Metrics:\s+http://(\S+:\d+)/metrics\s*$")]
    private static partial Regex MetricsLine();

    /// <summary>A log file of one child process (and its schema setup), with the last lines kept for failure messages.</summary>
    private sealed class ProcessLog : IDisposable
    {
        private const int TailLines = 40;

        private readonly StreamWriter _writer;
        private readonly Queue<string> _tail = new();
        private readonly Lock _gate = new();

        public ProcessLog(string name)
        {
            var dir = System.IO.Path.Combine(AppContext.BaseDirectory, "e2e-logs");
            Directory.CreateDirectory(dir);
            Path = System.IO.Path.Combine(dir, $"{name}-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid():N}.log");
            _writer = new StreamWriter(Path, append: false) { AutoFlush = true };
        }

        public string Path { get; }

        public void Write(string stream, string line)
        {
            var text = $"{DateTime.UtcNow:HH:mm:ss.fff} [{stream}] {line}";
            lock (_gate)
            {
                _tail.Enqueue(text);
                while (_tail.Count > TailLines)
                {
                    _tail.Dequeue();
                }
                try
                {
                    _writer.WriteLine(text);
                }
                catch (ObjectDisposedException)
                {
                    // Lines after disposal are dropped.
                }
            }
        }

        public string Tail()
        {
            lock (_gate)
            {
                return string.Join(Environment.NewLine, _tail);
            }
        }

        public void Dispose()
        {
            lock (_gate)
            {
                _writer.Dispose();
            }
        }
    }
}
