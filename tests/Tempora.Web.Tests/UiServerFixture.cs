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
    public const string ChromiumPath = UiTestHost.ChromiumPath;

    private UiTestHost? _host;

    /// <summary>A second namespace, where the Nexus tests run their handler workers, as a Nexus endpoint usually targets another team's namespace.</summary>
    public const string NexusHandlerNamespace = "nexus-handler";

    public string TaskQueue { get; } = $"web-ui-{Guid.NewGuid():N}";

    public TemporaServer Server => Host.Server;

    public TemporalClient Client => Host.Client;

    public IBrowser Browser => Host.Browser;

    public Uri UiBase => new($"http://{Server.UiAddress}");

    private UiTestHost Host => _host ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        _host = await UiTestHost.StartAsync(
            new TemporaOptions { Ip = "127.0.0.1", Port = 0, UiPort = 0, MetricsPort = 0, VerifyRebuild = true, Namespaces = [NexusHandlerNamespace] },
            Task.FromResult,
            new TemporalWorkerOptions(TaskQueue)
                .AddWorkflow<GreetingWorkflow>()
                .AddWorkflow<AwaitSignalWorkflow>()
                .AddWorkflow<FailingWorkflow>()
                .AddWorkflow<JourneyWorkflow>()
                .AddWorkflow<PendingActivityWorkflow>()
                .AddAllActivities(typeof(GreetingActivities), null)
                .AddAllActivities(typeof(HeldActivities), null));
    }

    /// <summary>Another headless Chromium with extra command-line switches (e.g. --host-resolver-rules); the caller closes it.</summary>
    public Task<IBrowser> LaunchBrowserAsync(params string[] args) =>
        Host.Playwright.Chromium.LaunchAsync(
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
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }
}
