using System.Net;

namespace Tempora.Web.Security;

/// <summary>
/// The web UI's OpenID Connect login (<c>ui:auth:*</c>, the variables of Temporal's UI server). When set, every page and
/// action needs a signed-in user, and the UI calls the frontend with that user's token (docs/security.md).
/// </summary>
public sealed record UiAuthSettings
{
    /// <summary>Temporal's UI server's callback path, used when <see cref="CallbackUrl"/> is not set.</summary>
    public const string DefaultCallbackPath = "/auth/sso/callback";

    /// <summary>The provider's base URL; its discovery document is <c>{ProviderUrl}/.well-known/openid-configuration</c>.</summary>
    public required Uri ProviderUrl { get; init; }

    /// <summary>The issuer the tokens name when it differs from the provider URL (some providers' discovery is elsewhere).</summary>
    public string? IssuerUrl { get; init; }

    public required string ClientId { get; init; }

    /// <summary>Null for a public client (PKCE only).</summary>
    public string? ClientSecret { get; init; }

    /// <summary>
    /// Where the provider sends the browser back, as registered with it; its path is the callback path. Null: the UI's
    /// own address with <see cref="DefaultCallbackPath"/>. Set it behind an ingress, whose public address the UI cannot know.
    /// </summary>
    public Uri? CallbackUrl { get; init; }

    public static readonly IReadOnlyList<string> DefaultScopes = ["openid", "profile", "email"];

    public IReadOnlyList<string> Scopes { get; init; } = DefaultScopes;

    /// <summary>Send the ID token as the bearer instead of the access token (providers whose access tokens are opaque).</summary>
    public bool UseIdTokenAsBearer { get; init; }

    /// <summary>
    /// Key material shared by every replica (<c>sessionSecretFile</c>), so that any of them reads the others' session
    /// cookies, login state and antiforgery tokens; null: keys of this process only, lost on restart.
    /// </summary>
    public byte[]? SessionSecret { get; init; }

    /// <summary>How long a login lasts before the provider is asked again (Temporal UI's maxSessionDuration).</summary>
    public TimeSpan MaxSessionDuration { get; init; } = TimeSpan.FromHours(8);

    public string CallbackPath => CallbackUrl?.AbsolutePath ?? DefaultCallbackPath;

    /// <summary>What is wrong with these settings, naming the key, or null when they can be used.</summary>
    public string? Problem()
    {
        if (ProviderUrl.Scheme is not ("https" or "http"))
        {
            return $"Setting 'ui:auth:providerUrl' must be an http(s) URL, not '{ProviderUrl}'.";
        }
        if (ProviderUrl.Scheme == "http" && !IsLoopback(ProviderUrl))
        {
            // The browser and this server send codes and tokens to it.
            return $"Setting 'ui:auth:providerUrl' must be https (it is sent codes and returns tokens), not '{ProviderUrl}'; http is for a provider on localhost only.";
        }
        if (string.IsNullOrWhiteSpace(ClientId))
        {
            return "Setting 'ui:auth:clientId' (TEMPORAL_AUTH_CLIENT_ID) is required when the UI login is on.";
        }
        if (CallbackUrl is { } callback && (callback.Scheme is not ("https" or "http") || (callback.Scheme == "http" && !IsLoopback(callback))))
        {
            // The session cookie is Secure: a browser on http (other than localhost) would drop it and log in forever.
            return $"Setting 'ui:auth:callbackUrl' must be an https URL (the session cookie is Secure), not '{callback}'; http is for localhost only.";
        }
        if (!Scopes.Contains("openid", StringComparer.Ordinal))
        {
            return "Setting 'ui:auth:scopes' must include 'openid' (the login is OpenID Connect).";
        }
        if (SessionSecret is { Length: < 32 })
        {
            return "Setting 'ui:auth:sessionSecretFile' names a file with fewer than 32 bytes; use at least 32 random bytes (e.g. openssl rand -base64 48).";
        }
        return MaxSessionDuration <= TimeSpan.Zero ? "Setting 'ui:auth:maxSessionDuration' must be positive." : null;
    }

    private static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
}
