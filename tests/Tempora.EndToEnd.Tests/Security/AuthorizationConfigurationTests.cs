using System.Collections;
using Tempora.Cli;

namespace Tempora.EndToEnd.Tests.Security;

/// <summary>`tempora start`'s authorization settings: Temporal's keys and image variables, and the refusals.</summary>
public sealed class AuthorizationConfigurationTests
{
    [Fact]
    public void TemporalImageVariables_FillTheSettings()
    {
        var options = Options(new Hashtable
        {
            ["TEMPORAL_AUTH_AUTHORIZER"] = "default",
            ["TEMPORAL_AUTH_CLAIM_MAPPER"] = "Default",
            ["SERVICES"] = "frontend:history:matching:worker",
            ["TEMPORAL_JWT_KEY_SOURCE1"] = "https://idp.example/jwks.json",
            ["TEMPORAL_JWT_KEY_SOURCE2"] = "file:///etc/tempora/jwks.json",
            ["TEMPORAL_JWT_KEY_REFRESH"] = "5m",
            ["TEMPORAL_JWT_PERMISSIONS_CLAIM"] = "https://example/permissions",
            ["TEMPORA_AUTH_AUDIENCE"] = "tempora",
        });

        var auth = options.Authorization;
        Assert.Equal(("default", "default"), (auth.Authorizer, auth.ClaimMapper));
        Assert.Equal(["https://idp.example/jwks.json", "file:///etc/tempora/jwks.json"], auth.KeySourceUris);
        Assert.Equal(TimeSpan.FromMinutes(5), auth.KeyRefreshInterval);
        Assert.Equal("https://example/permissions", auth.PermissionsClaimName);
        Assert.Equal("tempora", auth.Audience);
    }

    [Fact]
    public void ConfigFile_GlobalAuthorizationSection_IsRead()
    {
        var file = Path.Combine(TestFiles.NewTempDir(), "config.yaml");
        File.WriteAllText(file, """
            services: [frontend, history, matching, worker]
            global:
              authorization:
                authorizer: default
                claimMapper: default
                authHeaderName: x-token
                jwtKeyProvider:
                  keySourceURIs:
                    - http://127.0.0.1:1/jwks
                  refreshInterval: 0s
            """);
        var auth = ServerConfiguration.ToOptions(ServerConfiguration.Load(file, new Hashtable())).Authorization;

        Assert.Equal(("x-token", TimeSpan.Zero), (auth.AuthHeaderName, auth.KeyRefreshInterval));
        Assert.Equal(["http://127.0.0.1:1/jwks"], auth.KeySourceUris);
    }

    [Fact]
    public void Defaults_AuthorizationOff()
    {
        var auth = Options(new Hashtable()).Authorization;
        Assert.False(auth.Enabled);
        Assert.Equal(("permissions", "authorization", TimeSpan.FromMinutes(1)), (auth.PermissionsClaimName, auth.AuthHeaderName, auth.KeyRefreshInterval));
    }

    [Theory]
    [InlineData("TEMPORAL_AUTH_AUTHORIZER", "opa", "global:authorization:authorizer")]
    [InlineData("TEMPORAL_AUTH_CLAIM_MAPPER", "custom", "global:authorization:claimMapper")]
    [InlineData("TEMPORAL_JWT_KEY_REFRESH", "soon", "global:authorization:jwtKeyProvider:refreshInterval")]
    [InlineData("TEMPORAL_JWT_KEY_SOURCE1", "ftp://idp/jwks", "global:authorization:jwtKeyProvider:keySourceURIs")]
    public void BadValue_RefusedNamingTheKey(string variable, string value, string key)
    {
        var environment = new Hashtable { [variable] = value };
        if (variable != "TEMPORAL_JWT_KEY_SOURCE1")
        {
            environment["TEMPORAL_JWT_KEY_SOURCE2"] = "http://127.0.0.1:1/jwks";
        }
        var e = Assert.Throws<ConfigurationException>(() => Options(environment));
        Assert.Contains($"'{key}'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DefaultClaimMapper_WithoutKeySources_Refused()
    {
        var e = Assert.Throws<ConfigurationException>(() => Options(new Hashtable { ["TEMPORAL_AUTH_CLAIM_MAPPER"] = "default" }));
        Assert.Contains("global:authorization:jwtKeyProvider:keySourceURIs", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownKeyInTheSection_Refused()
    {
        var file = Path.Combine(TestFiles.NewTempDir(), "config.yaml");
        File.WriteAllText(file, """
            global:
              authorization:
                authorizer: default
                audienceMapper: custom
            """);
        var e = Assert.Throws<ConfigurationException>(() => ServerConfiguration.ToOptions(ServerConfiguration.Load(file, new Hashtable())));
        Assert.Contains("'global:authorization:audienceMapper'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DefaultAuthorizer_WithTheWebUiButNoLogin_Refused_WithoutTheWebRoleOrWithALogin_Accepted()
    {
        var environment = new Hashtable
        {
            ["TEMPORAL_AUTH_AUTHORIZER"] = "default",
            ["TEMPORAL_AUTH_CLAIM_MAPPER"] = "default",
            ["TEMPORAL_JWT_KEY_SOURCE1"] = "http://127.0.0.1:1/jwks",
        };
        var e = Assert.Throws<ConfigurationException>(() => Options(environment));
        Assert.Contains("'ui:auth:enabled'", e.Message, StringComparison.Ordinal);

        Assert.True(Options(new Hashtable(environment) { ["SERVICES"] = "frontend,history,matching,worker" }).Authorization.UsesDefaultAuthorizer);
        var withLogin = Options(new Hashtable(environment)
        {
            ["TEMPORAL_AUTH_ENABLED"] = "true",
            ["TEMPORAL_AUTH_PROVIDER_URL"] = "https://idp.example",
            ["TEMPORAL_AUTH_CLIENT_ID"] = "tempora-ui",
            ["TEMPORAL_AUTH_CLIENT_SECRET"] = "not-a-real-secret",
        });
        Assert.NotNull(withLogin.UiAuth);
    }

    private static Tempora.Server.TemporaOptions Options(Hashtable environment) =>
        ServerConfiguration.ToOptions(ServerConfiguration.Load(null, environment));
}
