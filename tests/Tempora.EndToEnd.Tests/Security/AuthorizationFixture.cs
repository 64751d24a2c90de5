using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Tempora.Frontend.Authorization;
using Tempora.Server;
using Temporalio.Client;
using Xunit.Abstractions;

namespace Tempora.EndToEnd.Tests.Security;

/// <summary>
/// One Tempora with Temporal's default claim mapper and authorizer, its keys from two JWKS sources as an identity
/// provider and a mounted Secret would give them: an RSA key served over HTTP by a small endpoint on loopback, and an
/// EC key in a file. Tokens are signed here; clients are the official SDK's.
/// </summary>
public sealed class AuthorizationFixture(IMessageSink diagnostics) : IAsyncLifetime
{
    public const string NamespaceA = "auth-a";
    public const string NamespaceB = "auth-b";

    /// <summary>How often the server reads the JWKS sources again.</summary>
    public static readonly TimeSpan KeyRefresh = TimeSpan.FromSeconds(1);

    private readonly TestDatabase _database = new("authz");
    private readonly Lock _gate = new();
    private readonly List<Dictionary<string, string>> _served = [];
    private WebApplication? _jwks;
    private TemporaServer? _server;

    /// <summary>The RSA key of the HTTP JWKS.</summary>
    internal TestSigningKey Rsa { get; } = TestSigningKey.Rsa($"rsa-{Guid.NewGuid():N}");

    /// <summary>The EC key of the file:// JWKS.</summary>
    internal TestSigningKey Ec { get; } = TestSigningKey.EllipticCurve($"ec-{Guid.NewGuid():N}");

    public TemporaServer Server => _server ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        _served.Add(Rsa.PublicJwk());
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _jwks = builder.Build();
        _jwks.MapGet("/jwks", () =>
        {
            lock (_gate)
            {
                return Results.Text(TestSigningKey.Jwks(_served), "application/json");
            }
        });
        await _jwks.StartAsync();
        var jwksFile = Path.Combine(Path.GetDirectoryName(_database.DbFile)!, "jwks.json");
        await File.WriteAllTextAsync(jwksFile, TestSigningKey.Jwks([Ec]));

        _server = await ServerFixture.StartServerAsync(_database.Apply(new TemporaOptions
        {
            Ip = "127.0.0.1",
            Port = 0,
            UiPort = 0,
            MetricsPort = 0,
            HttpPort = 0,
            Namespaces = [NamespaceA, NamespaceB],
            Authorization = new AuthorizationSettings
            {
                Authorizer = "default",
                ClaimMapper = "default",
                KeySourceUris = [$"{_jwks.Urls.First()}/jwks", new Uri(jwksFile).AbsoluteUri],
                KeyRefreshInterval = KeyRefresh,
            },
        }), "authz", diagnostics);
    }

    /// <summary>Publishes one more key in the HTTP JWKS, as an identity provider does before it signs with it.</summary>
    internal void Serve(TestSigningKey key)
    {
        lock (_gate)
        {
            _served.Add(key.PublicJwk());
        }
    }

    /// <summary>An RS256 token for <paramref name="subject"/> with these <c>namespace:role</c> permissions.</summary>
    public string Token(string subject, params string[] permissions) => Rsa.Token(subject, permissions);

    /// <summary>An SDK client that sends <c>authorization: Bearer token</c> on every call (none when null).</summary>
    public Task<TemporalClient> ConnectAsync(string? token, string ns = "default") =>
        TemporalClient.ConnectAsync(new TemporalClientConnectOptions(Server.GrpcAddress)
        {
            Namespace = ns,
            RpcMetadata = token is null ? null : new Dictionary<string, string> { ["authorization"] = $"Bearer {token}" },
        });

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await ServerFixture.StopAsync(_server);
        }
        if (_jwks is not null)
        {
            await _jwks.DisposeAsync();
        }
        Rsa.Dispose();
        Ec.Dispose();
        _database.Dispose();
    }
}
