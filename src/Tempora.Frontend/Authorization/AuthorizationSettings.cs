namespace Tempora.Frontend.Authorization;

/// <summary>
/// Temporal's <c>global.authorization</c> settings (plus Tempora's <see cref="Audience"/>). Both plug-ins empty is
/// Temporal's default and today's behaviour: every request is served.
/// </summary>
public sealed record AuthorizationSettings
{
    /// <summary>The header Temporal reads the token from unless told otherwise.</summary>
    public const string DefaultAuthHeaderName = "authorization";

    /// <summary>"" (allow everything) or "default" (Temporal's role-based authorizer).</summary>
    public string Authorizer { get; init; } = "";

    /// <summary>"" (every caller is a system admin) or "default" (Temporal's JWT claim mapper).</summary>
    public string ClaimMapper { get; init; } = "";

    /// <summary>The JWT claim holding <c>namespace:role</c> entries.</summary>
    public string PermissionsClaimName { get; init; } = "permissions";

    public string AuthHeaderName { get; init; } = DefaultAuthHeaderName;

    /// <summary>Read and handed to the claim mapper as Temporal does; the default claim mapper ignores it, as Temporal's.</summary>
    public string AuthExtraHeaderName { get; init; } = "authorization-extras";

    /// <summary>JWKS sources: http(s):// URLs or file:// paths.</summary>
    public IReadOnlyList<string> KeySourceUris { get; init; } = [];

    /// <summary>How often the JWKS sources are read again.</summary>
    public TimeSpan KeyRefreshInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>When set, a token's <c>aud</c> claim must contain it (Temporal leaves this to a custom audience mapper).</summary>
    public string? Audience { get; init; }

    public bool UsesDefaultAuthorizer => Authorizer == "default";

    public bool UsesDefaultClaimMapper => ClaimMapper == "default";

    /// <summary>Whether the frontend looks at requests at all.</summary>
    public bool Enabled => UsesDefaultAuthorizer || UsesDefaultClaimMapper;
}
