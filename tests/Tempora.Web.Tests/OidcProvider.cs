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

    public static async Task<OidcProvider> StartAsync(string clientId, string clientSecret, Uri uiBase,
        IReadOnlyDictionary<string, string[]> accounts)
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
            redirectUris = new[] { new Uri(uiBase, "/auth/sso/callback").ToString() },
            postLogoutRedirectUris = new[] { new Uri(uiBase, "/auth/logout/callback").ToString() },
            accounts,
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
