using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using Tempora.Server;
using Temporalio.Client;
using Temporalio.Worker;

namespace Tempora.Web.Tests;

/// <summary>The "Ui" collection: every test class in it shares one server, worker and browser.</summary>
[CollectionDefinition(Name)]
public sealed class UiCollection : ICollectionFixture<UiServerFixture>
{
    public const string Name = "Ui";
}

/// <summary>
/// A real Tempora server (start-dev's options: SQLite file, every port picked by the OS, UI on), an SDK client and
/// worker for the test workflows, and headless Chromium (Debian's, at <see cref="ChromiumPath"/>) driven by Playwright.
/// </summary>
public sealed class UiServerFixture : IAsyncLifetime
{
    /// <summary>Debian's chromium package; Playwright drives it instead of downloading a browser of its own.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"tempora-web-{Guid.NewGuid():N}");
    private readonly CancellationTokenSource _stopWorker = new();
    private TemporaServer? _server;
    private Task? _worker;
    private IPlaywright? _playwright;

    /// <summary>Task queue the fixture's worker polls.</summary>
    public string TaskQueue { get; } = $"web-ui-{Guid.NewGuid():N}";

    public TemporaServer Server => _server ?? throw new InvalidOperationException("not started");

    public TemporalClient Client { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>http://127.0.0.1:port of the UI.</summary>
    public Uri UiBase => new($"http://{Server.UiAddress}");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        _server = await TemporaServer.StartAsync(
            new TemporaOptions
            {
                Ip = "127.0.0.1",
                Port = 0,
                UiPort = 0,
                MetricsPort = 0,
                DbFilename = Path.Combine(_dir, "tempora.db"),
                LogLevel = LogLevel.Warning,
                VerifyRebuild = true,
            },
            logging => logging.ClearProviders());
        Client = await TemporalClient.ConnectAsync(new TemporalClientConnectOptions(Server.GrpcAddress));
        var worker = new TemporalWorker(Client, new TemporalWorkerOptions(TaskQueue)
            .AddWorkflow<GreetingWorkflow>()
            .AddWorkflow<AwaitSignalWorkflow>()
            .AddWorkflow<FailingWorkflow>()
            .AddWorkflow<JourneyWorkflow>()
            .AddWorkflow<PendingActivityWorkflow>()
            .AddAllActivities(typeof(GreetingActivities), null)
            .AddAllActivities(typeof(HeldActivities), null));
        _worker = RunWorkerAsync(worker);

        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} is missing: install Debian's chromium package (apt-get install -y chromium); .ci/run does.");
        }
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ChromiumPath, Headless = true });
    }

    /// <summary>Another headless Chromium with extra command-line switches (e.g. --host-resolver-rules); the caller closes it.</summary>
    public Task<IBrowser> LaunchBrowserAsync(params string[] args) =>
        (_playwright ?? throw new InvalidOperationException("not started")).Chromium.LaunchAsync(
            new BrowserTypeLaunchOptions { ExecutablePath = ChromiumPath, Headless = true, Args = args });

    /// <summary>A fresh page (own cookies and storage) at a phone-or-laptop size; dialogs (the actions' confirmations) are accepted.</summary>
    public async Task<IPage> NewPageAsync(int width = 1280, int height = 900)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = UiBase.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
        });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        return page;
    }

    public async Task DisposeAsync()
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
