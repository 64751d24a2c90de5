namespace Tempora.Frontend.Authorization;

/// <summary>Temporal's default authorizer (common/authorization/default_authorizer.go): a role check per API.</summary>
public static class DefaultAuthorizer
{
    /// <summary>Whether <paramref name="claims"/> may call <paramref name="fullMethod"/> on <paramref name="ns"/>.</summary>
    public static bool IsAllowed(Claims? claims, string fullMethod, string ns)
    {
        if (ApiMethods.IsHealthCheck(fullMethod))
        {
            return true;
        }
        if (claims is null)
        {
            return false;
        }
        var (scope, access) = ApiMethods.Of(fullMethod);
        var held = scope switch
        {
            ApiScope.Cluster => claims.System,
            // A system role holds in every namespace.
            ApiScope.Namespace => claims.System | claims.In(ns),
            _ => (Role?)null,
        };
        // Temporal compares the combined bits as a number, not as a set; see Role.
        return held is { } role && (short)role >= (short)RequiredRole(access);
    }

    private static Role RequiredRole(ApiAccess access) => access switch
    {
        ApiAccess.ReadOnly => Role.Reader,
        ApiAccess.Write => Role.Writer,
        _ => Role.Admin,
    };
}
