using System.Collections;
using Tempora.Cli;

namespace Tempora.EndToEnd.Tests.Security;

/// <summary>`tempora start`'s web UI login settings: Temporal UI server's variables, the ui:auth section, the refusals.</summary>
public sealed class UiAuthConfigurationTests
{
    [Fact]
    public void TemporalUiVariables_FillTheSettings()
    {
        var auth = Options(new Hashtable
        {
            ["TEMPORAL_AUTH_ENABLED"] = "true",
            ["TEMPORAL_AUTH_PROVIDER_URL"] = "https://idp.example/realms/home",
            ["TEMPORAL_AUTH_ISSUER_URL"] = "https://issuer.example/home",
            ["TEMPORAL_AUTH_CLIENT_ID"] = "tempora",
            ["TEMPORAL_AUTH_CLIENT_SECRET"] = "s3cret",
            ["TEMPORAL_AUTH_CALLBACK_URL"] = "https://tempora.example/auth/sso/callback",
            ["TEMPORAL_AUTH_SCOPES"] = "openid, profile,email,api://tempora/read",
            ["TEMPORAL_AUTH_USE_ID_TOKEN_AS_BEARER"] = "true",
        }).UiAuth!;

        Assert.Equal(new Uri("https://idp.example/realms/home"), auth.ProviderUrl);
        Assert.Equal("https://issuer.example/home", auth.IssuerUrl);
        Assert.Equal(("tempora", "s3cret"), (auth.ClientId, auth.ClientSecret));
        Assert.Equal("/auth/sso/callback", auth.CallbackPath);
        Assert.Equal(["openid", "profile", "email", "api://tempora/read"], auth.Scopes);
        Assert.True(auth.UseIdTokenAsBearer);
        Assert.Null(auth.SessionSecret);
        Assert.Equal(TimeSpan.FromHours(8), auth.MaxSessionDuration);
    }

    [Fact]
    public void ConfigFile_UiAuthSection_ReadsSecretsFromFiles()
    {
        var dir = TestFiles.NewTempDir();
        File.WriteAllText(Path.Combine(dir, "client-secret"), "from-a-secret\n");
        File.WriteAllText(Path.Combine(dir, "session-secret"), new string('k', 48) + "\n");
        var file = Path.Combine(dir, "config.yaml");
        File.WriteAllText(file, $"""
            ui:
              auth:
                enabled: true
                providerUrl: https://idp.example
                clientId: tempora-ui
                clientSecretFile: {Path.Combine(dir, "client-secret")}
                sessionSecretFile: {Path.Combine(dir, "session-secret")}
                maxSessionDuration: 2h
                scopes:
                  - openid
                  - groups
            """);

        var auth = ServerConfiguration.ToOptions(ServerConfiguration.Load(file, new Hashtable())).UiAuth!;

        Assert.Equal("from-a-secret", auth.ClientSecret);
        Assert.Equal(48, auth.SessionSecret!.Length);
        Assert.Equal(TimeSpan.FromHours(2), auth.MaxSessionDuration);
        Assert.Equal(["openid", "groups"], auth.Scopes);
        Assert.Equal("/auth/sso/callback", auth.CallbackPath);
    }

    [Fact]
    public void NotEnabled_NoLogin()
    {
        Assert.Null(Options(new Hashtable { ["TEMPORAL_AUTH_PROVIDER_URL"] = "https://idp.example" }).UiAuth);
        Assert.Null(Options(new Hashtable { ["TEMPORAL_AUTH_ENABLED"] = "false", ["TEMPORAL_AUTH_CLIENT_ID"] = "x" }).UiAuth);
    }

    [Theory]
    [InlineData(null, "tempora", "'ui:auth:providerUrl' (TEMPORAL_AUTH_PROVIDER_URL) is required")]
    [InlineData("https://idp.example", null, "'ui:auth:clientId' (TEMPORAL_AUTH_CLIENT_ID) is required")]
    [InlineData("http://idp.example", "tempora", "'ui:auth:providerUrl' must be https")]
    public void Enabled_MissingOrUnsafeSetting_RefusedNamingIt(string? providerUrl, string? clientId, string message)
    {
        var environment = new Hashtable { ["TEMPORAL_AUTH_ENABLED"] = "on" };
        if (providerUrl is not null)
        {
            environment["TEMPORAL_AUTH_PROVIDER_URL"] = providerUrl;
        }
        if (clientId is not null)
        {
            environment["TEMPORAL_AUTH_CLIENT_ID"] = clientId;
        }

        var e = Assert.Throws<ConfigurationException>(() => Options(environment));

        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PlainHttpCallbackOffLocalhost_Refused()
    {
        var e = Assert.Throws<ConfigurationException>(() => Options(new Hashtable
        {
            ["TEMPORAL_AUTH_ENABLED"] = "true",
            ["TEMPORAL_AUTH_PROVIDER_URL"] = "https://idp.example",
            ["TEMPORAL_AUTH_CLIENT_ID"] = "tempora",
            ["TEMPORAL_AUTH_CALLBACK_URL"] = "http://tempora.lan:8080/auth/sso/callback",
        }));

        Assert.Contains("'ui:auth:callbackUrl' must be an https URL", e.Message, StringComparison.Ordinal);
    }

    private static Tempora.Server.TemporaOptions Options(Hashtable environment) =>
        ServerConfiguration.ToOptions(ServerConfiguration.Load(null, environment));
}
