using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using Tempora.Server;
using Tempora.Web.Security;

namespace Tempora.Web.Tests;

/// <summary>
/// Replicas behind one ingress: a session cookie one UI wrote is taken by another that shares its session secret,
/// and by no other. The UIs listen on 127.0.0.1 on different ports; browsers keep cookies per host, not per port, so
/// the browser sends the first UI's cookie to the others as an ingress would send it to any replica.
/// </summary>
[Collection(Name)]
[CollectionDefinition(Name, DisableParallelization = false)]
public sealed class SharedSessionBrowserTests : IAsyncLifetime
{
    private const string Name = "UiSharedSession";

    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"tempora-web-shared-{Guid.NewGuid():N}");
    private readonly List<TemporaServer> _servers = [];
    private OidcProvider? _provider;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    [Fact]
    public async Task SessionCookie_OtherReplicaWithTheSameSecret_IsSignedIn()
    {
        var secret = RandomNumberGenerator.GetBytes(48);
        var ports = new[] { UiLoginFixture.FreePort(), UiLoginFixture.FreePort(), UiLoginFixture.FreePort() };
        var uis = ports.Select(p => new Uri($"http://127.0.0.1:{p}/")).ToList();
        _provider = await OidcProvider.StartAsync(UiLoginFixture.ClientId, "shared-secret-test", uis, UiLoginFixture.Accounts);
        await StartAsync(ports[0], secret);
        await StartAsync(ports[1], secret);
        await StartAsync(ports[2], RandomNumberGenerator.GetBytes(48));
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = UiServerFixture.ChromiumPath, Headless = true });
        var context = await _browser.NewContextAsync();
        // A login crosses two servers and the provider; a loaded test machine needs more than the UI tests' 15 s.
        context.SetDefaultTimeout(30_000);
        var page = await context.NewPageAsync();

        await page.GotoAsync(new Uri(uis[0], "/namespaces/default/workflows").ToString());
        await page.FillAsync("input[name=login]", "reader");
        await page.FillAsync("input[name=password]", "any password");
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(new Uri(uis[0], "/namespaces/default/workflows").ToString());

        // The replica with the same secret reads the session; the one with another secret sends the browser to log in.
        await page.GotoAsync(new Uri(uis[1], "/namespaces/default/workflows").ToString());
        Assert.Equal(new Uri(uis[1], "/namespaces/default/workflows").ToString(), page.Url);
        await Assertions.Expect(page.Locator("header .user")).ToHaveTextAsync("reader");
        var refused = await context.APIRequest.GetAsync(new Uri(uis[2], "/namespaces/default/workflows").ToString(), new() { MaxRedirects = 0 });
        Assert.Equal(302, refused.Status);
        Assert.StartsWith(_provider.Issuer.GetLeftPart(UriPartial.Authority), refused.Headers["location"], StringComparison.Ordinal);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }
        _playwright?.Dispose();
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }
        if (_provider is not null)
        {
            await _provider.DisposeAsync();
        }
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is not a test failure.
        }
    }

    private async Task StartAsync(int uiPort, byte[] sessionSecret)
    {
        Directory.CreateDirectory(_dir);
        _servers.Add(await TemporaServer.StartAsync(
            new TemporaOptions
            {
                Ip = "127.0.0.1",
                Port = 0,
                UiPort = uiPort,
                MetricsPort = 0,
                DbFilename = Path.Combine(_dir, $"tempora-{uiPort}.db"),
                LogLevel = LogLevel.Warning,
                UiAuth = new UiAuthSettings
                {
                    ProviderUrl = _provider!.Issuer,
                    ClientId = UiLoginFixture.ClientId,
                    ClientSecret = "shared-secret-test",
                    SessionSecret = sessionSecret,
                },
            },
            logging => logging.ClearProviders()));
    }
}
