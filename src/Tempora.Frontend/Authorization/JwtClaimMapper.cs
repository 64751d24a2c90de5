using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Tempora.Frontend.Authorization;

/// <summary>
/// Temporal's default JWT claim mapper (common/authorization/default_jwt_claim_mapper.go): <c>Bearer &lt;jwt&gt;</c>
/// signed RS256 or ES256 by a key of the JWKS, its <c>sub</c> as subject and each <c>namespace:role</c> entry of the
/// permissions claim as a role, <c>temporal-system:&lt;role&gt;</c> as a system role. Signature and lifetime are checked
/// by Microsoft.IdentityModel, with no clock skew (golang-jwt v4, which Temporal uses, allows none).
/// </summary>
public sealed partial class JwtClaimMapper(JwksKeyProvider keys, AuthorizationSettings settings, ILogger<JwtClaimMapper> logger)
{
    /// <summary>The namespace name that stands for the whole cluster in a permission (Temporal's primitives.SystemLocalNamespace).</summary>
    public const string SystemScope = "temporal-system";

    private static readonly string[] Algorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.EcdsaSha256];

    private readonly JsonWebTokenHandler _handler = new();

    /// <summary>The claims of the token in an authorization header's value; throws <see cref="TokenRejectedException"/>.</summary>
    public async Task<Claims> MapAsync(string header, CancellationToken ct)
    {
        var parts = header.Split(' ', 2);
        if (parts.Length != 2)
        {
            throw new TokenRejectedException("unexpected authorization token format");
        }
        if (!parts[0].Equals("bearer", StringComparison.OrdinalIgnoreCase))
        {
            throw new TokenRejectedException("unexpected name in authorization token");
        }
        JsonWebToken token;
        try
        {
            token = _handler.ReadJsonWebToken(parts[1]);
        }
        catch (Exception e) when (e is ArgumentException or SecurityTokenMalformedException)
        {
            throw new TokenRejectedException("malformed token");
        }
        if (string.IsNullOrEmpty(token.Kid))
        {
            throw new TokenRejectedException("malformed token - no \"kid\" header");
        }
        if (Array.IndexOf(Algorithms, token.Alg) < 0)
        {
            throw new TokenRejectedException($"unexpected signing algorithm: {token.Alg}");
        }
        var key = await keys.FindAsync(token.Kid, ct) ?? throw new TokenRejectedException($"no key found for key ID: {token.Kid}");
        var result = await _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            IssuerSigningKey = key,
            ValidAlgorithms = Algorithms,
            ValidateIssuer = false,
            ValidateAudience = !string.IsNullOrWhiteSpace(settings.Audience),
            ValidAudience = settings.Audience,
            ValidateLifetime = true,
            RequireExpirationTime = false, // golang-jwt checks exp and nbf only when present
            ClockSkew = TimeSpan.Zero,
        });
        if (!result.IsValid)
        {
            throw new TokenRejectedException(result.Exception?.GetType().Name switch
            {
                nameof(SecurityTokenExpiredException) => "token is expired",
                nameof(SecurityTokenNotYetValidException) => "token is not valid yet",
                nameof(SecurityTokenInvalidAudienceException) => "audience mismatch",
                nameof(SecurityTokenInvalidSignatureException) or nameof(SecurityTokenSignatureKeyNotFoundException) => "signature is invalid",
                var other => $"token is invalid ({other})",
            });
        }
        if (token.TryGetPayloadValue<long>("iat", out var issuedAt) && DateTimeOffset.FromUnixTimeSeconds(issuedAt) > DateTimeOffset.UtcNow)
        {
            throw new TokenRejectedException("token used before issued");
        }
        return ClaimsOf(token);
    }

    private Claims ClaimsOf(JsonWebToken token)
    {
        using var payload = JsonDocument.Parse(Base64UrlEncoder.Decode(token.EncodedPayload));
        if (!payload.RootElement.TryGetProperty("sub", out var sub) || sub.ValueKind != JsonValueKind.String)
        {
            throw new TokenRejectedException("unexpected value type of \"sub\" claim");
        }
        var system = Role.None;
        var namespaces = new Dictionary<string, Role>(StringComparer.Ordinal);
        // A permissions claim that is not a list is ignored, as Temporal does.
        if (payload.RootElement.TryGetProperty(settings.PermissionsClaimName, out var permissions) && permissions.ValueKind == JsonValueKind.Array)
        {
            foreach (var permission in permissions.EnumerateArray())
            {
                var parts = permission.ValueKind == JsonValueKind.String ? permission.GetString()!.Split(':') : null;
                if (parts is not { Length: 2 })
                {
                    LogPermissionIgnored(logger, permission.GetRawText());
                    continue;
                }
                if (parts[0] == SystemScope)
                {
                    system |= RoleOf(parts[1]);
                }
                else
                {
                    namespaces[parts[0]] = namespaces.GetValueOrDefault(parts[0]) | RoleOf(parts[1]);
                }
            }
        }
        return new Claims(sub.GetString()!, system, namespaces);
    }

    /// <summary>A permission's role, matched without regard to case; an unknown one grants nothing.</summary>
    private static Role RoleOf(string permission) => permission.ToLowerInvariant() switch
    {
        "read" => Role.Reader,
        "write" => Role.Writer,
        "worker" => Role.Worker,
        "admin" => Role.Admin,
        _ => Role.None,
    };

    [LoggerMessage(EventId = 4111, Level = LogLevel.Warning, Message = "Ignoring permission {Permission}: not a \"namespace:role\" string")]
    private static partial void LogPermissionIgnored(ILogger logger, string permission);
}
