using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using Tempora.Frontend.Authorization;
using Tempora.Server;
using Tempora.Web.Security;

namespace Tempora.Web.Tests;

/// <summary>
/// A frontend that does not trust the login provider's keys refuses every token the UI sends: the user gets a page
/// saying so, not an endless round between the UI and the provider.
/// </summary>
[Collection(Name)]
[CollectionDefinition(Name)]
public sealed class UntrustedProviderBrowserTests : IAsyncLifetime
{
    private const string Name = "UiUntrustedProvider";

    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"tempora-web-untrusted-{Guid.NewGuid():N}");
    private OidcProvider? _provider;
    private TemporaServer? _server;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    [Fact]
    public async Task Page_TokenRefusedRightAfterLogin_ShowsNotSignedIn()
    {
        var port = UiLoginFixture.FreePort();
        var ui = new Uri($"http://127.0.0.1:{port}/");
        _provider = await OidcProvider.StartAsync(UiLoginFixture.ClientId, "untrusted-test", [ui], UiLoginFixture.Accounts);
        Directory.CreateDirectory(_dir);
        // The frontend trusts a key of its own only.
        var jwks = Path.Combine(_dir, "jwks.json");
        using var other = RSA.Create(2048);
        var key = other.ExportParameters(false);
        await File.WriteAllTextAsync(jwks, JsonSerializer.Serialize(new
        {
            keys = new[] { new { kty = "RSA", kid = "other", use = "sig", alg = "RS256", n = Base64Url(key.Modulus!), e = Base64Url(key.Exponent!) } },
        }));
        _server = await TemporaServer.StartAsync(
            new TemporaOptions
            {
                Ip = "127.0.0.1",
                Port = 0,
                UiPort = port,
                MetricsPort = 0,
                DbFilename = Path.Combine(_dir, "tempora.db"),
                LogLevel = LogLevel.Warning,
                UiAuth = new UiAuthSettings { ProviderUrl = _provider.Issuer, ClientId = UiLoginFixture.ClientId, ClientSecret = "untrusted-test" },
                Authorization = new AuthorizationSettings { Authorizer = "default", ClaimMapper = "default", KeySourceUris = [new Uri(jwks).ToString()] },
            },
            logging => logging.ClearProviders());
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = UiServerFixture.ChromiumPath, Headless = true });
        var context = await _browser.NewContextAsync();
        context.SetDefaultTimeout(30_000);
        var page = await context.NewPageAsync();

        await page.GotoAsync(new Uri(ui, "/namespaces/default/workflows").ToString());
        await page.FillAsync("input[name=login]", "writer");
        await page.FillAsync("input[name=password]", "any password");
        var answer = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("button[type=submit]"),
            r => r.Url == new Uri(ui, "/namespaces/default/workflows").ToString());

        Assert.Equal(401, answer.Status);
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Not signed in");
        await Assertions.Expect(page.Locator("p.error")).ToContainTextAsync("must trust that provider's keys");
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }
        _playwright?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
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

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
