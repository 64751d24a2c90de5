using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Tempora.Deploy.Tests;

/// <summary>
/// The published `tempora` (what the Dockerfile copies into the image), run as the image runs it: the apphost with
/// an environment holding nothing but the runtime's location and the settings a Kubernetes pod would set.
/// </summary>
internal sealed partial class PublishedServer : IAsyncDisposable
{
    /// <summary>A folder that already holds a published tempora (e.g. a `-c Release -r linux-x64` publish) to use instead of publishing.</summary>
    public const string PublishedVariable = "TEMPORA_TEST_PUBLISHED";

    private static readonly SemaphoreSlim PublishLock = new(1, 1);
    private static string? _publishDirectory;

    private readonly Process _process;
    private readonly StringBuilder _log;

    private PublishedServer(Process process, StringBuilder log, string grpcAddress, string metricsAddress)
    {
        _process = process;
        _log = log;
        GrpcAddress = grpcAddress;
        MetricsAddress = metricsAddress;
    }

    public string GrpcAddress { get; }

    public string MetricsAddress { get; }

    public int Pid => _process.Id;

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>`dotnet publish` of src/Tempora.Cli in this test's configuration (once per test run), or TEMPORA_TEST_PUBLISHED.</summary>
    public static async Task<string> PublishAsync()
    {
        await PublishLock.WaitAsync();
        try
        {
            if (_publishDirectory is not null)
            {
                return _publishDirectory;
            }
            if (Environment.GetEnvironmentVariable(PublishedVariable) is { Length: > 0 } published)
            {
                return _publishDirectory = published;
            }
#if DEBUG
            const string configuration = "Debug";
#else
            const string configuration = "Release";
#endif
            var output = Path.Combine(AppContext.BaseDirectory, "published-tempora");
            var project = Path.Combine(RepoPaths.Root, "src", "Tempora.Cli", "Tempora.Cli.csproj");
            // --no-build: the project reference builds the CLI before the tests, and a publish that builds would rewrite
            // its bin/ folder with the publish-only settings (Tempora.Cli.csproj) under the feet of the other test projects.
            var (exitCode, text) = await RunAsync("dotnet", ["publish", project, "-c", configuration, "--no-build", "-o", output, "--nologo"], null, TimeSpan.FromMinutes(5));
            Assert.True(exitCode == 0, $"dotnet publish exited with {exitCode}:{Environment.NewLine}{text}");
            return _publishDirectory = output;
        }
        finally
        {
            PublishLock.Release();
        }
    }

    /// <summary>The environment of a container: the runtime's location, a home, and the given settings; nothing inherited.</summary>
    public static Dictionary<string, string> ContainerEnvironment(IReadOnlyDictionary<string, string> settings)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            ["HOME"] = Path.GetTempPath(),
            // The image has the runtime in its default place; here the apphost is told where this one is.
            ["DOTNET_ROOT"] = DotnetRoot(),
        };
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }
        return environment;
    }

    /// <summary>Runs `tempora ARGS` to completion in the given environment; returns the exit code and the output.</summary>
    public static Task<(int ExitCode, string Output)> RunToolAsync(string publishDirectory, IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment) =>
        RunAsync(Path.Combine(publishDirectory, "tempora"), args, environment, TimeSpan.FromMinutes(2));

    /// <summary>Starts `tempora start` and waits for the banner with its addresses.</summary>
    public static async Task<PublishedServer> StartAsync(string publishDirectory, IReadOnlyDictionary<string, string> environment)
    {
        var info = StartInfo(Path.Combine(publishDirectory, "tempora"), ["start"], environment);
        var process = Process.Start(info) ?? throw new InvalidOperationException("tempora did not start");
        var log = new StringBuilder();
        var grpc = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var metrics = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }
            lock (log)
            {
                log.AppendLine(line);
            }
            if (ServerLine().Match(line) is { Success: true } s)
            {
                grpc.TrySetResult(s.Groups[1].Value);
            }
            if (MetricsLine().Match(line) is { Success: true } m)
            {
                metrics.TrySetResult(m.Groups[1].Value);
            }
        }
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _ = process.WaitForExitAsync().ContinueWith(_ =>
        {
            var failure = new InvalidOperationException($"tempora start exited with {process.ExitCode}:{Environment.NewLine}{log}");
            grpc.TrySetException(failure);
            metrics.TrySetException(failure);
        }, TaskScheduler.Default);
        try
        {
            var grpcAddress = await grpc.Task.WaitAsync(TimeSpan.FromSeconds(60));
            var metricsAddress = await metrics.Task.WaitAsync(TimeSpan.FromSeconds(10));
            return new PublishedServer(process, log, grpcAddress, metricsAddress);
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    /// <summary>Resident memory of the server process (VmRSS), in MiB.</summary>
    public double ResidentMiB()
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var kb = long.Parse(line["VmRSS:".Length..].Replace("kB", "", StringComparison.Ordinal).Trim(), CultureInfo.InvariantCulture);
                return kb / 1024.0;
            }
        }
        throw new InvalidOperationException("no VmRSS");
    }

    /// <summary>SIGTERM, as the kubelet sends it; returns the exit code.</summary>
    public async Task<int> StopAsync()
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private static string DotnetRoot() =>
        // .../shared/Microsoft.NETCore.App/<version>/ -> the dotnet root three levels up.
        Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));

    private static ProcessStartInfo StartInfo(string file, IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? environment)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        if (environment is not null)
        {
            info.Environment.Clear();
            foreach (var (key, value) in environment)
            {
                info.Environment[key] = value;
            }
        }
        return info;
    }

    private static async Task<(int, string)> RunAsync(string file, IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? environment, TimeSpan timeout)
    {
        using var process = Process.Start(StartInfo(file, args, environment)) ?? throw new InvalidOperationException($"{file} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within {timeout.TotalSeconds} s");
        }
        return (process.ExitCode, await stdout + await stderr);
    }

    [GeneratedRegex(@"^Server:\s+(\S+:\d+)\s*$")]
    private static partial Regex ServerLine();

    [GeneratedRegex(@"^Metrics:\s+http://(\S+:\d+)/metrics\s*$")]
    private static partial Regex MetricsLine();
}
