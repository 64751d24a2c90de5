using Tempora.Frontend.Authorization;
using Tempora.Server;
using Temporalio.Client;

namespace Tempora.Web.Tests;

[CollectionDefinition(Name)]
public sealed class UiAuthorizationCollection : ICollectionFixture<UiAuthorizationFixture>
{
    public const string Name = "UiAuthorization";
}

/// <summary>
/// The UI login with the frontend's authorizer on (Temporal's default claim mapper reading the provider's jwks_uri and
/// its default authorizer): what a signed-in user sees and may do follows the permissions claim of their token. The
/// SDK client and worker are a service of the provider with the system admin's permission.
/// </summary>
public class UiAuthorizationFixture : UiLoginFixture
{
    private const string Service = "tempora-test-worker";

    protected override IReadOnlyDictionary<string, string[]> ServiceClients { get; } =
        new Dictionary<string, string[]> { [Service] = ["temporal-system:admin"] };

    protected override TemporaOptions Configure(TemporaOptions options) => options with
    {
        Authorization = new AuthorizationSettings
        {
            Authorizer = "default",
            ClaimMapper = "default",
            KeySourceUris = [new Uri(Provider.Issuer, "/jwks").ToString()],
        },
    };

    protected override async Task<TemporalClientConnectOptions> ConfigureClientAsync(TemporalClientConnectOptions options)
    {
        options.RpcMetadata = new Dictionary<string, string> { ["authorization"] = "Bearer " + await Provider.ServiceTokenAsync(Service) };
        return options;
    }
}

[CollectionDefinition(Name)]
public sealed class UiIdTokenAuthorizationCollection : ICollectionFixture<UiIdTokenAuthorizationFixture>
{
    public const string Name = "UiIdTokenAuthorization";
}

/// <summary>
/// As <see cref="UiAuthorizationFixture"/>, with the UI sending the ID token as the bearer (useIdTokenAsBearer); the
/// users' access tokens carry no permissions here, so only the ID token can let a writer act.
/// </summary>
public sealed class UiIdTokenAuthorizationFixture : UiAuthorizationFixture
{
    protected override bool AccessTokenPermissions => false;

    protected override TemporaOptions Configure(TemporaOptions options)
    {
        options = base.Configure(options);
        return options with { UiAuth = options.UiAuth! with { UseIdTokenAsBearer = true } };
    }
}
