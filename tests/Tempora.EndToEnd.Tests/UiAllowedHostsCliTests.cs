using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// The web UI's host allow-list as the command line sets it: `start-dev --ui-allowed-hosts` names an ingress's host the
/// UI then answers to, and `tempora start` refuses a malformed TEMPORA_UI_ALLOWED_HOSTS entry before it starts.
/// </summary>
public sealed partial class UiAllowedHostsCliTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task StartDev_UiAllowedHostsFlag_UiAnswersToThatHostOnly()
    {
        using var process = Launch(["start-dev", "--ip", "127.0.0.1", "--port", "0", "--ui-port", "0", "--metrics-port", "0", "--http-port", "0", "--in-memory",
            "--log-level", "warn", "--ui-allowed-hosts", "temporal.example.test,*.apps.example.test"], new Dictionary<string, string>());
        try
        {
            var ui = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is { } line && UiLine().Match(line) is { Success: true } m)
                {
                    ui.TrySetResult(new Uri(m.Groups[1].Value));
                }
            };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            _ = process.WaitForExitAsync().ContinueWith(
                _ => ui.TrySetException(new InvalidOperationException($"start-dev exited with code {process.ExitCode} before printing its UI address")),
                TaskScheduler.Default);
            var address = await ui.Task.WithTimeout("start-dev to print its UI address", StartTimeout);
            using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });

            Assert.Equal(HttpStatusCode.OK, await StatusAsync(http, address, "temporal.example.test"));
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(http, address, "tempora.apps.example.test"));
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(http, address, $"localhost:{address.Port}"));
            Assert.Equal(HttpStatusCode.BadRequest, await StatusAsync(http, address, "attacker.example"));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task StartDev_UiAllowedHostWithPort_ExitsWithTheReason()
    {
        using var process = Launch(["start-dev", "--in-memory", "--http-port", "0", "--ui-allowed-hosts", "temporal.example.test:8080"], new Dictionary<string, string>());
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WithTimeout("start-dev to refuse the flag", StartTimeout);

        Assert.Equal(1, process.ExitCode);
        Assert.Contains("'temporal.example.test:8080' is not a host name", await error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_MalformedUiAllowedHostsVariable_ExitsWithTheReason()
    {
        using var process = Launch(["start", "--port", "0", "--ui-port", "0", "--metrics-port", "0", "--http-port", "0"],
            new Dictionary<string, string>
            {
                ["TEMPORA_SQLITE_FILE"] = Path.Combine(Path.GetTempPath(), $"tempora-hosts-{Guid.NewGuid():N}.db"),
                ["TEMPORA_UI_ALLOWED_HOSTS"] = "temporal.example.test, https://temporal.example.test/ui",
            });
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WithTimeout("start to refuse the variable", StartTimeout);

        Assert.Equal(2, process.ExitCode);
        Assert.Contains("'https://temporal.example.test/ui' is not a host name", await error, StringComparison.Ordinal);
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient http, Uri ui, string host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(ui, "/namespaces"));
        request.Headers.Host = host;
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    private static Process Launch(IEnumerable<string> arguments, Dictionary<string, string> environment)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "tempora.dll"));
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        foreach (var inherited in new[] { "TEMPORA_CONFIG", "DB", "TEMPORA_DB", "SERVICES", "TEMPORA_SERVICES", "TEMPORA_UI_ALLOWED_HOSTS" })
        {
            info.Environment.Remove(inherited);
        }
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }
        return Process.Start(info) ?? throw new InvalidOperationException("could not start tempora");
    }

    [GeneratedRegex(@"^UI:\s+(http://\S+:\d+)\s*$")]
    private static partial Regex UiLine();
}
