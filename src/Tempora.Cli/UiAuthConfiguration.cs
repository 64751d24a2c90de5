using Microsoft.Extensions.Configuration;
using Tempora.Visibility.Query;
using Tempora.Web.Security;

namespace Tempora.Cli;

/// <summary>
/// The web UI's login settings, <c>ui:auth:*</c>, and the variables Temporal's UI server reads for them (its image's
/// TEMPORAL_AUTH_*), so that a deployment moving over keeps its OpenID Connect client (docs/security.md).
/// </summary>
internal static class UiAuthConfiguration
{
    public static readonly (string Variable, string Key)[] TemporalVariables =
    [
        ("TEMPORAL_AUTH_ENABLED", "ui:auth:enabled"),
        ("TEMPORAL_AUTH_PROVIDER_URL", "ui:auth:providerUrl"),
        ("TEMPORAL_AUTH_ISSUER_URL", "ui:auth:issuerUrl"),
        ("TEMPORAL_AUTH_CLIENT_ID", "ui:auth:clientId"),
        ("TEMPORAL_AUTH_CLIENT_SECRET", "ui:auth:clientSecret"),
        ("TEMPORAL_AUTH_CALLBACK_URL", "ui:auth:callbackUrl"),
        ("TEMPORAL_AUTH_SCOPES", "ui:auth:scopes"),
        ("TEMPORAL_AUTH_USE_ID_TOKEN_AS_BEARER", "ui:auth:useIdTokenAsBearer"),
    ];

    public static readonly (string Variable, string Key)[] TemporaVariables =
    [
        ("TEMPORA_UI_AUTH_CLIENT_SECRET_FILE", "ui:auth:clientSecretFile"),
        ("TEMPORA_UI_SESSION_SECRET_FILE", "ui:auth:sessionSecretFile"),
        ("TEMPORA_UI_AUTH_MAX_SESSION_DURATION", "ui:auth:maxSessionDuration"),
    ];

    /// <summary>The login the configuration turns on, or null when <c>ui:auth:enabled</c> is not true.</summary>
    public static UiAuthSettings? Read(IConfiguration config)
    {
        var section = config.GetSection("ui:auth");
        if (section["enabled"] is not { } enabled || !ServerConfiguration.ParseSwitch("ui:auth:enabled", enabled))
        {
            return null;
        }
        var providerUrl = Required(section, "providerUrl", "TEMPORAL_AUTH_PROVIDER_URL");
        if (!Uri.TryCreate(providerUrl, UriKind.Absolute, out var provider))
        {
            throw new ConfigurationException($"Setting 'ui:auth:providerUrl' must be an absolute URL, not '{providerUrl}'.");
        }
        Uri? callback = null;
        if (section["callbackUrl"] is { Length: > 0 } callbackUrl && !Uri.TryCreate(callbackUrl, UriKind.Absolute, out callback))
        {
            throw new ConfigurationException($"Setting 'ui:auth:callbackUrl' must be an absolute URL, not '{callbackUrl}'.");
        }
        var clientSecret = section["clientSecret"];
        if (section["clientSecretFile"] is { Length: > 0 } clientSecretFile)
        {
            // A Kubernetes Secret mounted as a file; an editor's trailing newline is not part of it.
            clientSecret = ReadFile("clientSecretFile", clientSecretFile).TrimEnd('\r', '\n');
        }
        var settings = new UiAuthSettings
        {
            ProviderUrl = provider,
            IssuerUrl = section["issuerUrl"] is { Length: > 0 } issuer ? issuer : null,
            ClientId = Required(section, "clientId", "TEMPORAL_AUTH_CLIENT_ID"),
            ClientSecret = clientSecret is { Length: > 0 } ? clientSecret : null,
            CallbackUrl = callback,
            Scopes = Scopes(section) is { Count: > 0 } scopes ? scopes : UiAuthSettings.DefaultScopes,
            UseIdTokenAsBearer = section["useIdTokenAsBearer"] is { } bearer && ServerConfiguration.ParseSwitch("ui:auth:useIdTokenAsBearer", bearer),
            SessionSecret = section["sessionSecretFile"] is { Length: > 0 } secretFile
                ? System.Text.Encoding.UTF8.GetBytes(ReadFile("sessionSecretFile", secretFile).TrimEnd('\r', '\n'))
                : null,
            MaxSessionDuration = section["maxSessionDuration"] is { } duration
                ? Durations.ParseNanoseconds(duration) is { } nanos && nanos > 0 ? TimeSpan.FromTicks(nanos / 100)
                    : throw new ConfigurationException($"Setting 'ui:auth:maxSessionDuration' must be a positive duration such as 8h, not '{duration}'.")
                : TimeSpan.FromHours(8),
        };
        return settings.Problem() is { } problem ? throw new ConfigurationException(problem) : settings;
    }

    private static string Required(IConfigurationSection section, string key, string variable) =>
        section[key] is { Length: > 0 } value ? value
            : throw new ConfigurationException($"Setting 'ui:auth:{key}' ({variable}) is required when the UI login is on (ui:auth:enabled).");

    /// <summary>A YAML/JSON list, or one comma-separated string (TEMPORAL_AUTH_SCOPES); scopes may contain ':'.</summary>
    private static List<string> Scopes(IConfigurationSection section)
    {
        var scopes = section.GetSection("scopes");
        var items = scopes.Value is { } single ? single.Split(',') : scopes.GetChildren().Select(c => c.Value ?? "");
        return items.Select(s => s.Trim()).Where(s => s.Length > 0).ToList();
    }

    private static string ReadFile(string key, string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException($"Setting 'ui:auth:{key}': cannot read {path}: {e.Message}");
        }
    }
}
