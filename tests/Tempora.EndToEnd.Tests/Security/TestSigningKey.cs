using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Tempora.EndToEnd.Tests.Security;

/// <summary>A key pair made for one test run: its public half as a JWK, its private half to sign tokens (RS256 or ES256).</summary>
internal sealed class TestSigningKey : IDisposable
{
    private readonly AsymmetricAlgorithm _key;
    private readonly SigningCredentials _credentials;

    private TestSigningKey(string kid, AsymmetricAlgorithm key, SecurityKey securityKey, string algorithm)
    {
        Kid = kid;
        _key = key;
        securityKey.KeyId = kid;
        _credentials = new SigningCredentials(securityKey, algorithm);
    }

    public string Kid { get; }

    public static TestSigningKey Rsa(string kid)
    {
        var rsa = RSA.Create(2048);
        return new TestSigningKey(kid, rsa, new RsaSecurityKey(rsa), SecurityAlgorithms.RsaSha256);
    }

    public static TestSigningKey EllipticCurve(string kid)
    {
        var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new TestSigningKey(kid, ec, new ECDsaSecurityKey(ec), SecurityAlgorithms.EcdsaSha256);
    }

    /// <summary>This key's public half under another key's id: what a forger who knows the kid would sign with.</summary>
    public static TestSigningKey ImpostorOf(TestSigningKey real) => Rsa(real.Kid);

    /// <summary>The public JWK, as an identity provider publishes it.</summary>
    public Dictionary<string, string> PublicJwk()
    {
        switch (_key)
        {
            case RSA rsa:
                var p = rsa.ExportParameters(false);
                return new()
                {
                    ["kty"] = "RSA",
                    ["kid"] = Kid,
                    ["use"] = "sig",
                    ["alg"] = "RS256",
                    ["n"] = Base64UrlEncoder.Encode(p.Modulus),
                    ["e"] = Base64UrlEncoder.Encode(p.Exponent)
                };
            case ECDsa ec:
                var q = ec.ExportParameters(false).Q;
                return new()
                {
                    ["kty"] = "EC",
                    ["kid"] = Kid,
                    ["use"] = "sig",
                    ["alg"] = "ES256",
                    ["crv"] = "P-256",
                    ["x"] = Base64UrlEncoder.Encode(q.X),
                    ["y"] = Base64UrlEncoder.Encode(q.Y)
                };
            default:
                throw new InvalidOperationException("unexpected key type");
        }
    }

    /// <summary>A JWKS document of these keys' public halves.</summary>
    public static string Jwks(IEnumerable<TestSigningKey> keys) => Jwks(keys.Select(k => k.PublicJwk()));

    /// <summary>A JWKS document of these public JWKs.</summary>
    public static string Jwks(IEnumerable<Dictionary<string, string>> jwks) => JsonSerializer.Serialize(new { keys = jwks.ToArray() });

    /// <summary>A signed token for <paramref name="subject"/> with these permissions, valid from an hour ago for an hour
    /// unless <paramref name="notBefore"/>/<paramref name="expires"/> say otherwise.</summary>
    public string Token(string subject, string[] permissions, DateTime? notBefore = null, DateTime? expires = null,
        string? audience = null, string permissionsClaim = "permissions")
    {
        var now = DateTime.UtcNow;
        var from = notBefore ?? now.AddMinutes(-5);
        var descriptor = new SecurityTokenDescriptor
        {
            Claims = new Dictionary<string, object> { ["sub"] = subject, [permissionsClaim] = permissions },
            NotBefore = from,
            IssuedAt = from,
            Expires = expires ?? now.AddHours(1),
            Audience = audience,
            SigningCredentials = _credentials,
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    public void Dispose() => _key.Dispose();
}
