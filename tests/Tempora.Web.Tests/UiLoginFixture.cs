using System.Net;
using System.Net.Sockets;
using Microsoft.Playwright;
using Tempora.Server;
using Tempora.Web.Security;
using Temporalio.Client;
using Temporalio.Worker;

namespace Tempora.Web.Tests;

[CollectionDefinition(Name)]
public sealed class UiLoginCollection : ICollectionFixture<UiLoginFixture>
{
    public const string Name = "UiLogin";
}

/// <summary>
/// A Tempora with the UI login on against the real OpenID Connect provider of tests/oidc-provider, a worker, and
/// headless Chromium. The provider must know the UI's callback before either starts, so the UI port is picked first.
/// </summary>
public class UiLoginFixture : IAsyncLifetime
{
    public const string ClientId = "tempora-ui";

    /// <summary>Accounts of the provider and their Temporal permissions claim.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Accounts = new Dictionary<string, string[]>
    {
        ["reader"] = ["default:read"],
        ["writer"] = ["default:write"],
    };

    private OidcProvider? _provider;
    private UiTestHost? _host;

    public string TaskQueue { get; } = $"web-login-{Guid.NewGuid():N}";

    public OidcProvider Provider => _provider ?? throw new InvalidOperationException("not started");

    public TemporalClient Client => (_host ?? throw new InvalidOperationException("not started")).Client;

    public IBrowser Browser => (_host ?? throw new InvalidOperationException("not started")).Browser;

    public Uri UiBase { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var uiPort = FreePort();
        UiBase = new Uri($"http://127.0.0.1:{uiPort}/");
        _provider = await OidcProvider.StartAsync(ClientId, "test-client-secret", [UiBase], Accounts, ServiceClients, AccessTokenPermissions);
        _host = await UiTestHost.StartAsync(
            Configure(new TemporaOptions
            {
                Ip = "127.0.0.1",
                Port = 0,
                UiPort = uiPort,
                MetricsPort = 0,
                UiAuth = new UiAuthSettings { ProviderUrl = _provider.Issuer, ClientId = ClientId, ClientSecret = "test-client-secret" },
            }),
            ConfigureClientAsync,
            new TemporalWorkerOptions(TaskQueue).AddWorkflow<AwaitSignalWorkflow>());
    }

    /// <summary>Clients of the provider's client-credentials grant, with their tokens' permissions.</summary>
    protected virtual IReadOnlyDictionary<string, string[]> ServiceClients { get; } = new Dictionary<string, string[]>();

    /// <summary>False: the users' permissions claim is in their ID tokens only.</summary>
    protected virtual bool AccessTokenPermissions => true;

    /// <summary>The server's options beyond the UI login.</summary>
    protected virtual TemporaOptions Configure(TemporaOptions options) => options;

    /// <summary>The SDK client's connection (and the worker's, which shares it).</summary>
    protected virtual Task<TemporalClientConnectOptions> ConfigureClientAsync(TemporalClientConnectOptions options) => Task.FromResult(options);

    /// <summary>A fresh browser context (no session) with the actions' confirmations accepted.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = UiBase.ToString() });
        // A login crosses the UI and the provider; a loaded test machine needs more than the UI tests' 15 s.
        context.SetDefaultTimeout(30_000);
        var page = await context.NewPageAsync();
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        return page;
    }

    /// <summary>Opens a UI page, which leads to the provider's login form, and signs in there as <paramref name="account"/>.</summary>
    public async Task SignInAsync(IPage page, string account, string path = "/namespaces/default/workflows")
    {
        await page.GotoAsync(path);
        Assert.StartsWith(Provider.Issuer.GetLeftPart(UriPartial.Authority), page.Url, StringComparison.Ordinal);
        await page.FillAsync("input[name=login]", account);
        await page.FillAsync("input[name=password]", "any password");
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(new Uri(UiBase, path).ToString());
    }

    public virtual async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
        if (_provider is not null)
        {
            await _provider.DisposeAsync();
        }
    }

    /// <summary>A port free now (the OS's pick, released at once); the UI binds it moments later.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
