using Microsoft.Extensions.Configuration;
using Tempora.Frontend.Authorization;
using Tempora.Visibility.Query;

namespace Tempora.Cli;

/// <summary>Temporal's <c>global.authorization</c> section, its server image's variables, and Tempora's audience.</summary>
internal static class AuthorizationConfiguration
{
    private const string Section = "global:authorization";

    /// <summary>The variables of Temporal's server image (docker/config_template.yaml).</summary>
    public static readonly (string Variable, string Key)[] Variables =
    [
        ("TEMPORAL_AUTH_AUTHORIZER", Section + ":authorizer"),
        ("TEMPORAL_AUTH_CLAIM_MAPPER", Section + ":claimMapper"),
        ("TEMPORAL_JWT_KEY_SOURCE1", Section + ":jwtKeyProvider:keySourceURIs:0"),
        ("TEMPORAL_JWT_KEY_SOURCE2", Section + ":jwtKeyProvider:keySourceURIs:1"),
        ("TEMPORAL_JWT_KEY_REFRESH", Section + ":jwtKeyProvider:refreshInterval"),
        ("TEMPORAL_JWT_PERMISSIONS_CLAIM", Section + ":permissionsClaimName"),
    ];

    /// <summary>Tempora's own variables of the section.</summary>
    public static readonly (string Variable, string Key)[] TemporaVariables =
    [
        ("TEMPORA_AUTH_AUDIENCE", Section + ":audience"),
    ];

    private static readonly string[] Keys =
        ["authorizer", "claimMapper", "permissionsClaimName", "authHeaderName", "authExtraHeaderName", "jwtKeyProvider", "audience"];

    public static AuthorizationSettings Parse(IConfiguration config)
    {
        var section = config.GetSection(Section);
        if (section.GetChildren().FirstOrDefault(c => !Keys.Contains(c.Key, StringComparer.OrdinalIgnoreCase)) is { } unknown)
        {
            throw new ConfigurationException(
                $"Setting '{Section}:{unknown.Key}' is not supported; the authorization settings are {string.Join(", ", Keys)}.");
        }
        if (section.GetSection("jwtKeyProvider").GetChildren()
            .FirstOrDefault(c => !c.Key.Equals("keySourceURIs", StringComparison.OrdinalIgnoreCase) && !c.Key.Equals("refreshInterval", StringComparison.OrdinalIgnoreCase)) is { } other)
        {
            throw new ConfigurationException(
                $"Setting '{Section}:jwtKeyProvider:{other.Key}' is not supported; the key provider's settings are keySourceURIs and refreshInterval.");
        }
        var defaults = new AuthorizationSettings();
        var settings = new AuthorizationSettings
        {
            Authorizer = Plugin(section, "authorizer"),
            ClaimMapper = Plugin(section, "claimMapper"),
            PermissionsClaimName = NonEmpty(section, "permissionsClaimName") ?? defaults.PermissionsClaimName,
            AuthHeaderName = NonEmpty(section, "authHeaderName") ?? defaults.AuthHeaderName,
            AuthExtraHeaderName = NonEmpty(section, "authExtraHeaderName") ?? defaults.AuthExtraHeaderName,
            KeySourceUris = KeySources(section.GetSection("jwtKeyProvider:keySourceURIs")),
            KeyRefreshInterval = RefreshInterval(section, defaults.KeyRefreshInterval),
            Audience = NonEmpty(section, "audience"),
        };
        if (settings.UsesDefaultClaimMapper && settings.KeySourceUris.Count == 0)
        {
            throw new ConfigurationException(
                $"Setting '{Section}:jwtKeyProvider:keySourceURIs' (TEMPORAL_JWT_KEY_SOURCE1) is required with the default claim mapper: without keys no token is valid.");
        }
        return settings;
    }

    /// <summary>An authorizer or claim mapper: Temporal's built-in ones are "" and "default" (matched without case).</summary>
    private static string Plugin(IConfigurationSection section, string key)
    {
        var value = (section[key] ?? "").Trim();
        return value.ToLowerInvariant() switch
        {
            "" => "",
            "default" => "default",
            _ => throw new ConfigurationException(
                $"Setting '{Section}:{key}' is '{value}'; Tempora has Temporal's built-in ones only: \"\" (none) or \"default\"."),
        };
    }

    private static string? NonEmpty(IConfigurationSection section, string key) =>
        section[key] is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    /// <summary>The JWKS sources, in order; a blank entry is skipped (the image's template writes one for an unset variable).</summary>
    private static string[] KeySources(IConfigurationSection uris)
    {
        IEnumerable<string?> list = uris.Value is { } single ? [single] : uris.GetChildren().OrderBy(c => int.TryParse(c.Key, out var i) ? i : int.MaxValue).Select(c => c.Value);
        var sources = list.OfType<string>().Select(s => s.Trim()).Where(s => s.Length > 0).ToArray();
        foreach (var source in sources)
        {
            if (!Uri.TryCreate(source, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https" or "file"))
            {
                throw new ConfigurationException(
                    $"Setting '{Section}:jwtKeyProvider:keySourceURIs' has '{source}'; give an http://, https:// or file:// URI of a JWKS document.");
            }
        }
        return sources;
    }

    private static TimeSpan RefreshInterval(IConfigurationSection section, TimeSpan defaultValue)
    {
        var text = section["jwtKeyProvider:refreshInterval"];
        if (string.IsNullOrWhiteSpace(text))
        {
            return defaultValue;
        }
        if (Durations.ParseNanoseconds(text.Trim()) is not { } nanos || nanos < 0)
        {
            throw new ConfigurationException(
                $"Setting '{Section}:jwtKeyProvider:refreshInterval' must be a duration such as 1m or 30s (0s: read the keys only at start), not '{text}'.");
        }
        return TimeSpan.FromTicks(nanos / 100);
    }
}
