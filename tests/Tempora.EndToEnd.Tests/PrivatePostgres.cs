using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Npgsql;
using Tempora.Persistence.Postgres;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// A throwaway PostgreSQL cluster of one test's own (initdb into a temp dir, a free port on 127.0.0.1, role
/// temporal/temporal with CREATEDB), so the test can stop and restart it without disturbing the shared test cluster
/// other tests use at the same time. Needs TEMPORA_TEST_PG_BIN (scripts/postgres.sh exports it). Runs as the
/// `postgres` user when the tests run as root (PostgreSQL refuses root). Disposal stops it, copies its server log to
/// e2e-logs and deletes the directory.
/// </summary>
internal sealed class PrivatePostgres : IAsyncDisposable
{
    public const string BinVariable = "TEMPORA_TEST_PG_BIN";
    public const string Password = "temporal";
    public const string User = "temporal";

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);

    private readonly string _bin;
    private readonly string _dir;

    private PrivatePostgres(string bin, string dir, int port, string name)
    {
        _bin = bin;
        _dir = dir;
        Port = port;
        LogCopy = Path.Combine(AppContext.BaseDirectory, "e2e-logs", $"{name}-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid():N}.log");
    }

    public int Port { get; }

    /// <summary>The data directory.</summary>
    public string DataDir => Path.Combine(_dir, "data");

    /// <summary>PostgreSQL's own log (copied to <see cref="LogCopy"/> on disposal).</summary>
    public string ServerLog => Path.Combine(DataDir, "server.log");

    /// <summary>Where <see cref="ServerLog"/> is copied to, under e2e-logs, when the cluster is disposed.</summary>
    public string LogCopy { get; }

    /// <summary>Settings for databases <paramref name="database"/> and <paramref name="database"/>_visibility on this cluster (created by `tempora schema setup`).</summary>
    public PostgresSettings Settings(string database = "temporal") => new()
    {
        Host = "127.0.0.1",
        Port = Port,
        User = User,
        Password = Password,
        Database = database,
        VisibilityDatabase = database + "_visibility",
        SslMode = "Disable",
    };

    /// <summary>Creates and starts a fresh cluster.</summary>
    public static async Task<PrivatePostgres> StartAsync(string name = "private-pg")
    {
        var bin = Environment.GetEnvironmentVariable(BinVariable);
        if (string.IsNullOrEmpty(bin) || !File.Exists(Path.Combine(bin, "initdb")))
        {
            throw new InvalidOperationException(
                $"{BinVariable} is not set or holds no initdb ('{bin}'): the tests that restart PostgreSQL need the PostgreSQL bin directory. " +
                "Run them with `bash scripts/test.sh`, or `eval \"$(bash scripts/postgres.sh)\"` first.");
        }
        var pg = new PrivatePostgres(bin, TestFiles.NewTempDir(), FreePort(), name);
        try
        {
            await pg.InitAsync();
            return pg;
        }
        catch
        {
            await pg.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the (stopped) cluster and waits until it accepts connections.</summary>
    public Task StartAsync() => PgCtlAsync("-D", DataDir, "-l", ServerLog, "-w", "-t", "60", "start");

    /// <summary>Stops the cluster: fast (sessions terminated, clean shutdown) or immediate (like a crash of PostgreSQL).</summary>
    public Task StopAsync(bool immediate = false) => PgCtlAsync("-D", DataDir, "-m", immediate ? "immediate" : "fast", "-w", "-t", "60", "stop");

    /// <summary>
    /// Restarts the cluster: `pg_ctl restart -m fast` when <paramref name="downtime"/> is null, else a stop, a wait of
    /// <paramref name="downtime"/> with the port closed, and a start.
    /// </summary>
    public async Task RestartAsync(TimeSpan? downtime = null, bool immediate = false)
    {
        if (downtime is null && !immediate)
        {
            await PgCtlAsync("-D", DataDir, "-l", ServerLog, "-m", "fast", "-w", "-t", "60", "restart");
            return;
        }
        await StopAsync(immediate);
        await Task.Delay(downtime ?? TimeSpan.Zero);
        await StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (File.Exists(Path.Combine(DataDir, "postmaster.pid")))
            {
                await StopAsync(immediate: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Best effort: already stopped.
        }
        catch (TimeoutException)
        {
            // Best effort.
        }
        try
        {
            if (File.Exists(ServerLog))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(LogCopy)!);
                File.Copy(ServerLog, LogCopy, overwrite: true);
            }
        }
        catch (IOException)
        {
            // Best effort.
        }
        TestFiles.TryDeleteDirectory(_dir);
    }

    private async Task InitAsync()
    {
        Directory.CreateDirectory(DataDir);
        if (Environment.IsPrivilegedProcess)
        {
            await RunAsync("chown", ["postgres", DataDir]);
        }
        await RunAsync(Owner(Path.Combine(_bin, "initdb")), [.. OwnerArgs(Path.Combine(_bin, "initdb")),
            "-D", DataDir, "-U", "postgres", "-E", "UTF8", "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync", "--no-instructions"]);
        var conf = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"port = {Port}")
            .AppendLine("listen_addresses = '127.0.0.1'")
            .AppendLine(CultureInfo.InvariantCulture, $"unix_socket_directories = '{DataDir}'")
            .AppendLine("max_connections = 200")
            .AppendLine("shared_buffers = 32MB")
            .AppendLine("fsync = off")
            .ToString();
        await File.AppendAllTextAsync(Path.Combine(DataDir, "postgresql.conf"), conf);
        await StartAsync();
        await RunAsync(Owner(Path.Combine(_bin, "psql")), [.. OwnerArgs(Path.Combine(_bin, "psql")),
            "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", DataDir, "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", "postgres", "-d", "postgres",
            "-c", $"CREATE ROLE {User} LOGIN PASSWORD '{Password}' CREATEDB"]);

        // Proves the TCP listener and the role work the way Tempora will use them.
        await using var conn = new NpgsqlConnection(Settings().ConnectionString("postgres"));
        await conn.OpenAsync().WithTimeout($"a first connection to the private PostgreSQL on port {Port}");
    }

    private Task PgCtlAsync(params string[] args)
    {
        var pgCtl = Path.Combine(_bin, "pg_ctl");
        return RunAsync(Owner(pgCtl), [.. OwnerArgs(pgCtl), .. args]);
    }

    /// <summary>The program to run for <paramref name="tool"/>: itself, or runuser when root.</summary>
    private static string Owner(string tool) => Environment.IsPrivilegedProcess ? "runuser" : tool;

    private static string[] OwnerArgs(string tool) => Environment.IsPrivilegedProcess ? ["-u", "postgres", "--", tool] : [];

    private async Task RunAsync(string program, IReadOnlyList<string> args)
    {
        var info = new ProcessStartInfo(program, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // A directory the postgres user can enter (the test's own may not be).
            WorkingDirectory = _dir,
        };
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {program}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var commandLine = $"{program} {string.Join(' ', args)}";
        try
        {
            await process.WaitForExitAsync().WithTimeout(commandLine, CommandTimeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        var output = (await stdout) + (await stderr);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"`{commandLine}` exited with code {process.ExitCode}:{Environment.NewLine}{output}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
