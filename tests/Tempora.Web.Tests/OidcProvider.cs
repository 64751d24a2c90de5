using System.Diagnostics;
using System.Text.Json;

namespace Tempora.Web.Tests;

/// <summary>
/// The real OpenID Connect provider of tests/oidc-provider (panva's oidc-provider under node) on a loopback port the
/// OS picks, with one client and accounts whose <c>permissions</c> claim is given. Started once <c>npm ci</c> has
/// installed it (scripts/test.sh does); stopped by closing its standard input, or killed by its id.
/// </summary>
public sealed class OidcProvider : IAsyncDisposable
{
    private readonly Process _process;

    private OidcProvider(Process process, Uri issuer)
    {
        _process = process;
        Issuer = issuer;
    }

    public Uri Issuer { get; }

    /// <param name="uiBases">The UIs (replicas) the client may return to.</param>
    /// <param name="serviceClients">Clients of the client-credentials grant and the permissions of their tokens.</param>
    /// <param name="accessTokenPermissions">False: the users' permissions are in their ID tokens only.</param>
    public static async Task<OidcProvider> StartAsync(string clientId, string clientSecret, IReadOnlyList<Uri> uiBases,
        IReadOnlyDictionary<string, string[]> accounts, IReadOnlyDictionary<string, string[]>? serviceClients = null,
        bool accessTokenPermissions = true)
    {
        var dir = Directory();
        if (!System.IO.Directory.Exists(Path.Combine(dir, "node_modules", "oidc-provider")))
        {
            throw new InvalidOperationException($"The test OIDC provider is not installed: run `npm ci` in {dir} (scripts/test.sh does).");
        }
        var config = JsonSerializer.Serialize(new
        {
            clientId,
            clientSecret,
            redirectUris = uiBases.Select(ui => new Uri(ui, "/auth/sso/callback").ToString()),
            postLogoutRedirectUris = uiBases.Select(ui => new Uri(ui, "/auth/logout/callback").ToString()),
            accounts,
            accessTokenPermissions,
            serviceClients = (serviceClients ?? new Dictionary<string, string[]>()).ToDictionary(c => c.Key,
                c => new { secret = ServiceClientSecret(c.Key), permissions = c.Value }),
        });
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = dir,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("start.mjs");
        start.ArgumentList.Add(config);
        var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        var errors = process.StandardError.ReadToEndAsync();
        try
        {
            // Its first line names the issuer once it listens; anything else means it failed.
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            if (line is null || !line.StartsWith("listening ", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"The OIDC provider did not start: {line} {await errors.WaitAsync(TimeSpan.FromSeconds(5))}");
            }
            return new OidcProvider(process, new Uri(line["listening ".Length..]));
        }
        catch
        {
            process.Kill();
            process.Dispose();
            throw;
        }
    }

    /// <summary>An access token (a JWT with the client's permissions) by the client-credentials grant, as a service gets one.</summary>
    public async Task<string> ServiceTokenAsync(string serviceClient)
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync(new Uri(Issuer, "/token"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = serviceClient,
            ["client_secret"] = ServiceClientSecret(serviceClient),
            ["resource"] = "urn:tempora",
            ["scope"] = "temporal",
        }));
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"The provider refused the client-credentials grant: {body}");
        }
        return JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!;
    }

    public async ValueTask DisposeAsync()
    {
        _process.StandardInput.Close();
        using var stopped = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _process.WaitForExitAsync(stopped.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill();
        }
        _process.Dispose();
    }

    private static string ServiceClientSecret(string serviceClient) => $"{serviceClient}-secret";

    /// <summary>tests/oidc-provider, found above the test's output directory.</summary>
    private static string Directory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "oidc-provider");
            if (File.Exists(Path.Combine(candidate, "start.mjs")))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException("tests/oidc-provider was not found above " + AppContext.BaseDirectory);
    }
}
