using Google.Protobuf.WellKnownTypes;
using Microsoft.Playwright;
using Tempora.Archival;
using Tempora.History;
using Tempora.Server;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Namespace.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Worker;

namespace Tempora.Web.Tests;

[CollectionDefinition(Name)]
public sealed class UiArchivalCollection : ICollectionFixture<UiArchivalFixture>
{
    public const string Name = "UiArchival";
}

/// <summary>
/// A Tempora whose `default` namespace archives history and visibility to file:// directories and keeps closed runs
/// one second (retention scanned every second), so a finished run is soon readable from the archive only; and a
/// namespace `plain` without archival. A worker and headless Chromium, as in the other UI fixtures.
/// </summary>
public sealed class UiArchivalFixture : IAsyncLifetime
{
    public const string PlainNamespace = "plain";

    private readonly string _archive = Path.Combine(Path.GetTempPath(), $"tempora-web-archive-{Guid.NewGuid():N}");
    private UiTestHost? _host;

    public string TaskQueue { get; } = $"web-archival-{Guid.NewGuid():N}";

    public TemporalClient Client => Host.Client;

    public string HistoryUri => new Uri(Path.Combine(_archive, "history")).AbsoluteUri;

    private UiTestHost Host => _host ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        _host = await UiTestHost.StartAsync(
            new TemporaOptions
            {
                Ip = "127.0.0.1",
                Port = 0,
                UiPort = 0,
                MetricsPort = 0,
                Namespaces = [PlainNamespace],
                Archival = ArchivalSettings.AllProvidersEnabled,
                RetentionScanInterval = TimeSpan.FromSeconds(1),
                NamespaceRetention = new RetentionBounds { Minimum = TimeSpan.FromSeconds(1) },
            },
            Task.FromResult,
            new TemporalWorkerOptions(TaskQueue).AddWorkflow<GreetingWorkflow>().AddAllActivities(typeof(GreetingActivities), null));
        await Client.Connection.WorkflowService.UpdateNamespaceAsync(new UpdateNamespaceRequest
        {
            Namespace = "default",
            Config = new NamespaceConfig
            {
                WorkflowExecutionRetentionTtl = Duration.FromTimeSpan(TimeSpan.FromSeconds(1)),
                HistoryArchivalState = ArchivalState.Enabled,
                HistoryArchivalUri = HistoryUri,
                VisibilityArchivalState = ArchivalState.Enabled,
                VisibilityArchivalUri = new Uri(Path.Combine(_archive, "visibility")).AbsoluteUri,
            },
        });
    }

    /// <summary>A fresh page at laptop size.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await Host.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = $"http://{Host.Server.UiAddress}/",
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
        context.SetDefaultTimeout(15_000);
        return await context.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
        try
        {
            Directory.Delete(_archive, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Nothing was archived.
        }
    }
}
