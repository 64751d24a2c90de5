using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Tempora.EndToEnd.Tests;

/// <summary>The real `tempora start-dev` executable in a child process, so a test can kill it with SIGKILL.</summary>
internal sealed partial class TemporaProcess : IAsyncDisposable
{
    private readonly Process _process;

    private TemporaProcess(Process process, string address)
    {
        _process = process;
        Address = address;
    }

    public string Address { get; }

    /// <summary>Starts `tempora start-dev` on a free port with the given SQLite file and waits until it listens.</summary>
    public static async Task<TemporaProcess> StartAsync(string dbFile)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "tempora.dll");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { dll, "start-dev", "--port", "0", "--db-filename", dbFile, "--log-level", "warn", "--headless" })
        {
            info.ArgumentList.Add(arg);
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start tempora");
        var address = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line && ServerLine().Match(line) is { Success: true } m)
            {
                address.TrySetResult(m.Groups[1].Value);
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _ = process.WaitForExitAsync().ContinueWith(_ => address.TrySetException(
            new InvalidOperationException($"tempora exited with code {process.ExitCode} before listening")), TaskScheduler.Default);
        return new TemporaProcess(process, await address.Task.WithTimeout("tempora start-dev to print its address"));
    }

    /// <summary>SIGKILL: no shutdown code runs, exactly like a crash or an OOM kill.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }
        _process.Dispose();
    }

    [GeneratedRegex(@"^Server:\s+(\S+:\d+)\s*$")]
    private static partial Regex ServerLine();
}
