using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using Tempora.Server;
using Temporalio.Client;
using Temporalio.Worker;

namespace Tempora.Web.Tests;

/// <summary>
/// What every UI fixture runs: a Tempora on a SQLite file in a scratch directory, an SDK client, a worker polling one
/// task queue until disposal, and headless Debian Chromium driven by Playwright. The fixtures differ only in the
/// options they start them with.
/// </summary>
internal sealed class UiTestHost : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"tempora-web-{Guid.NewGuid():N}");
    private readonly CancellationTokenSource _stopWorker = new();
    private TemporaServer? _server;
    private Task? _worker;
    private IPlaywright? _playwright;

    private UiTestHost()
    {
    }

    public TemporaServer Server => _server ?? throw new InvalidOperationException("not started");

    public TemporalClient Client { get; private set; } = null!;

    public IPlaywright Playwright => _playwright ?? throw new InvalidOperationException("not started");

    public IBrowser Browser { get; private set; } = null!;

    /// <param name="options">The server's options; the host sets the database file and quiets the log.</param>
    /// <param name="connect">The SDK client's connection options (the worker shares the client).</param>
    /// <param name="worker">The worker's options: its task queue and what it runs.</param>
    public static async Task<UiTestHost> StartAsync(TemporaOptions options, Func<TemporalClientConnectOptions, Task<TemporalClientConnectOptions>> connect,
        TemporalWorkerOptions worker)
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} is missing: install Debian's chromium package (apt-get install -y chromium); .ci/run does.");
        }
        var host = new UiTestHost();
        try
        {
            Directory.CreateDirectory(host._dir);
            host._server = await TemporaServer.StartAsync(
                options with { DbFilename = Path.Combine(host._dir, "tempora.db"), LogLevel = LogLevel.Warning },
                logging => logging.ClearProviders());
            host.Client = await TemporalClient.ConnectAsync(await connect(new TemporalClientConnectOptions(host.Server.GrpcAddress)));
            host._worker = host.RunWorkerAsync(new TemporalWorker(host.Client, worker));
            host._playwright = await Microsoft.Playwright.Playwright.CreateAsync();
            host.Browser = await host._playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ChromiumPath, Headless = true });
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }
        _playwright?.Dispose();
        await _stopWorker.CancelAsync();
        if (_worker is not null)
        {
            await _worker;
        }
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        _stopWorker.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is not a test failure.
        }
    }

    private async Task RunWorkerAsync(TemporalWorker worker)
    {
        using (worker)
        {
            try
            {
                await worker.ExecuteAsync(_stopWorker.Token);
            }
            catch (OperationCanceledException)
            {
                // Stopped by DisposeAsync.
            }
        }
    }
}
