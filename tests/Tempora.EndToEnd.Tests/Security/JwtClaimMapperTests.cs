using Microsoft.Extensions.Logging.Abstractions;
using Tempora.Frontend.Authorization;

namespace Tempora.EndToEnd.Tests.Security;

/// <summary>The default JWT claim mapper on tokens signed in the test, keys from a file:// JWKS.</summary>
public sealed class JwtClaimMapperTests : IAsyncLifetime
{
    private readonly string _dir = TestFiles.NewTempDir();
    private readonly TestSigningKey _rsa = TestSigningKey.Rsa("rsa-1");
    private readonly TestSigningKey _ec = TestSigningKey.EllipticCurve("ec-1");
    private JwksKeyProvider? _keys;

    public async Task InitializeAsync()
    {
        var file = Path.Combine(_dir, "jwks.json");
        await File.WriteAllTextAsync(file, TestSigningKey.Jwks([_rsa, _ec]));
        _keys = new JwksKeyProvider([new Uri(file).AbsoluteUri], TimeSpan.Zero, TimeProvider.System, NullLogger<JwksKeyProvider>.Instance);
        await _keys.StartAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Permissions_MapToRoles_AsTemporalDoes()
    {
        var claims = await Mapper().MapAsync("Bearer " + _rsa.Token("alice",
            ["ns-a:read", "ns-a:WORKER", "ns-b:write", "temporal-system:admin", "bad-entry", "x:y:z", "ns-c:owner"]), CancellationToken.None);

        Assert.Equal("alice", claims.Subject);
        Assert.Equal(Role.Admin, claims.System);
        Assert.Equal(Role.Reader | Role.Worker, claims.In("ns-a"));
        Assert.Equal(Role.Writer, claims.In("ns-b"));
        Assert.Equal(Role.None, claims.In("ns-c"));
    }

    [Fact]
    public async Task Es256Token_AndLowerCaseScheme_Accepted()
    {
        var claims = await Mapper().MapAsync("bearer " + _ec.Token("bob", ["ns:write"]), CancellationToken.None);
        Assert.Equal(("bob", Role.Writer), (claims.Subject, claims.In("ns")));
    }

    [Fact]
    public async Task PermissionsClaimName_IsConfigurable()
    {
        var mapper = Mapper(new AuthorizationSettings { PermissionsClaimName = "https://example/perms" });
        var claims = await mapper.MapAsync("Bearer " + _rsa.Token("carol", ["ns:admin"], permissionsClaim: "https://example/perms"), CancellationToken.None);
        Assert.Equal(Role.Admin, claims.In("ns"));
    }

    [Fact]
    public async Task Audience_WhenSet_MustMatch()
    {
        var mapper = Mapper(new AuthorizationSettings { Audience = "tempora" });
        Assert.Equal("dave", (await mapper.MapAsync("Bearer " + _rsa.Token("dave", [], audience: "tempora"), CancellationToken.None)).Subject);
        var other = await Assert.ThrowsAsync<TokenRejectedException>(() => mapper.MapAsync("Bearer " + _rsa.Token("dave", [], audience: "other"), CancellationToken.None));
        Assert.Equal("audience mismatch", other.Message);
        await Assert.ThrowsAsync<TokenRejectedException>(() => mapper.MapAsync("Bearer " + _rsa.Token("dave", []), CancellationToken.None));
    }

    [Theory]
    [InlineData("Basic abc", "unexpected name in authorization token")]
    [InlineData("Bearer", "unexpected authorization token format")]
    [InlineData("Bearer not.a.jwt", "malformed token")]
    public async Task MalformedHeader_Rejected(string header, string reason)
    {
        var e = await Assert.ThrowsAsync<TokenRejectedException>(() => Mapper().MapAsync(header, CancellationToken.None));
        Assert.Equal(reason, e.Message);
    }

    [Fact]
    public async Task ExpiredNotYetValidForgedAndUnknownKid_Rejected()
    {
        var now = DateTime.UtcNow;
        using var impostor = TestSigningKey.ImpostorOf(_rsa);
        using var stranger = TestSigningKey.Rsa("stranger");
        var mapper = Mapper();
        async Task<string> ReasonAsync(string token) =>
            (await Assert.ThrowsAsync<TokenRejectedException>(() => mapper.MapAsync("Bearer " + token, CancellationToken.None))).Message;

        Assert.Equal("token is expired", await ReasonAsync(_rsa.Token("e", [], now.AddHours(-2), now.AddHours(-1))));
        Assert.Equal("token is not valid yet", await ReasonAsync(_rsa.Token("e", [], now.AddHours(1), now.AddHours(2))));
        Assert.Equal("signature is invalid", await ReasonAsync(impostor.Token("e", ["ns:admin"])));
        Assert.Equal("no key found for key ID: stranger", await ReasonAsync(stranger.Token("e", ["ns:admin"])));
    }

    private JwtClaimMapper Mapper(AuthorizationSettings? settings = null) =>
        new(_keys!, settings ?? new AuthorizationSettings(), NullLogger<JwtClaimMapper>.Instance);

    public async Task DisposeAsync()
    {
        await _keys!.StopAsync(CancellationToken.None);
        _keys.Dispose();
        _rsa.Dispose();
        _ec.Dispose();
        TestFiles.TryDeleteDirectory(_dir);
    }
}
