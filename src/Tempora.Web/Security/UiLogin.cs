using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Tempora.Web.Security;

/// <summary>
/// The UI's OpenID Connect login: ASP.NET Core's cookie and OpenID Connect handlers, run by the UI's own middleware on
/// the UI port only (a global UseAuthentication would also run on every gRPC call). Authorization-code flow with PKCE;
/// the provider's answer comes back as a query (a top-level GET), so the login-state cookies can be SameSite=Lax like
/// the session's. The tokens live in the session cookie (encrypted, chunked); the UI sends one of them to the frontend.
/// </summary>
internal static class UiLogin
{
    public const string CookieScheme = "tempora-ui";
    public const string OidcScheme = "tempora-ui-oidc";

    /// <summary>Posted by the header's "Sign out" button (antiforgery-checked like every action).</summary>
    public const string LogoutPath = "/auth/logout";

    /// <summary>Where the provider returns after its logout; register it as a post-logout redirect URI.</summary>
    public const string LogoutCallbackPath = "/auth/logout/callback";

    /// <summary>The page after logout; it needs no session.</summary>
    public const string SignedOutPath = "/auth/signed-out";

    private const string TokenExpiry = "expires_at";

    private static readonly TimeSpan FreshLogin = TimeSpan.FromSeconds(30);

    public static void AddServices(IServiceCollection services, UiAuthSettings auth)
    {
        services.AddAuthentication(CookieScheme)
            .AddCookie(CookieScheme, o =>
            {
                o.Cookie.Name = "tempora-session";
                o.Cookie.HttpOnly = true;
                o.Cookie.SecurePolicy = Microsoft.AspNetCore.Http.CookieSecurePolicy.Always;
                o.Cookie.SameSite = SameSiteMode.Lax;
                // The login, not activity, bounds the session: a stolen cookie does not live on by being used.
                o.ExpireTimeSpan = auth.MaxSessionDuration;
                o.SlidingExpiration = false;
            })
            .AddOpenIdConnect(OidcScheme, o =>
            {
                o.SignInScheme = CookieScheme;
                o.Authority = auth.ProviderUrl.ToString();
                o.RequireHttpsMetadata = auth.ProviderUrl.Scheme == "https";
                o.ClientId = auth.ClientId;
                o.ClientSecret = auth.ClientSecret;
                o.ResponseType = OpenIdConnectResponseType.Code;
                o.ResponseMode = OpenIdConnectResponseMode.Query;
                o.UsePkce = true;
                o.Scope.Clear();
                foreach (var scope in auth.Scopes)
                {
                    o.Scope.Add(scope);
                }
                o.CallbackPath = auth.CallbackPath;
                o.SignedOutCallbackPath = LogoutCallbackPath;
                o.SignedOutRedirectUri = SignedOutPath;
                o.SaveTokens = true;
                o.GetClaimsFromUserInfoEndpoint = false;
                o.MapInboundClaims = false;
                o.TokenValidationParameters.NameClaimType = "name";
                if (auth.IssuerUrl is { Length: > 0 } issuer)
                {
                    o.TokenValidationParameters.ValidIssuer = issuer;
                }
                // The browser leaves with a form POST (the login redirect after an expired session, logout) or a link, then
                // comes back by a top-level GET, which carries Lax cookies.
                o.CorrelationCookie.SameSite = SameSiteMode.Lax;
                o.CorrelationCookie.SecurePolicy = Microsoft.AspNetCore.Http.CookieSecurePolicy.Always;
                o.NonceCookie.SameSite = SameSiteMode.Lax;
                o.NonceCookie.SecurePolicy = Microsoft.AspNetCore.Http.CookieSecurePolicy.Always;
                o.Events.OnRedirectToIdentityProvider = context =>
                {
                    if (auth.CallbackUrl is { } callback)
                    {
                        // Behind an ingress the request's own scheme and host are not what the browser sees.
                        context.ProtocolMessage.RedirectUri = callback.ToString();
                    }
                    return Task.CompletedTask;
                };
                o.Events.OnRedirectToIdentityProviderForSignOut = context =>
                {
                    if (auth.CallbackUrl is { } callback)
                    {
                        context.ProtocolMessage.PostLogoutRedirectUri = new Uri(callback, LogoutCallbackPath).ToString();
                    }
                    return Task.CompletedTask;
                };
            });
    }

    /// <summary>
    /// Runs the login for one UI request: answers the provider's callbacks, or signs the user in from the session
    /// cookie, or sends the browser to the provider. True when the request has been answered here.
    /// </summary>
    public static async Task<bool> HandleAsync(HttpContext context)
    {
        var handlers = context.RequestServices.GetRequiredService<IAuthenticationHandlerProvider>();
        if (await handlers.GetHandlerAsync(context, OidcScheme) is IAuthenticationRequestHandler remote && await remote.HandleRequestAsync())
        {
            return true;
        }
        if (context.Request.Path.Equals(SignedOutPath, StringComparison.Ordinal))
        {
            return false;
        }
        var session = await context.AuthenticateAsync(CookieScheme);
        if (session.Succeeded && !Expired(session.Properties!, context))
        {
            context.User = session.Principal!;
            context.Features.Set(new UiUser(session.Properties!));
            return false;
        }
        await ChallengeAsync(context);
        return true;
    }

    /// <summary>To the provider, and back to this page after login (for a form post, back to the page that posted it).</summary>
    public static Task ChallengeAsync(HttpContext context)
    {
        var request = context.Request;
        var back = HttpMethods.IsGet(request.Method) ? $"{request.PathBase}{request.Path}{request.QueryString}" : SamePageOrHome(request);
        return context.ChallengeAsync(OidcScheme, new AuthenticationProperties { RedirectUri = IsLocal(back) ? back : "/" });
    }

    /// <summary>Signs out of this UI, then out of the provider when it offers an end-session endpoint.</summary>
    public static async Task LogoutAsync(HttpContext context)
    {
        await context.SignOutAsync(CookieScheme);
        var options = context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<OpenIdConnectOptions>>().Get(OidcScheme);
        var configuration = options.ConfigurationManager is { } manager ? await manager.GetConfigurationAsync(context.RequestAborted) : null;
        if (string.IsNullOrEmpty(configuration?.EndSessionEndpoint))
        {
            context.Response.Redirect(SignedOutPath);
            return;
        }
        await context.SignOutAsync(OidcScheme, new AuthenticationProperties { RedirectUri = SignedOutPath });
    }

    /// <summary>
    /// Whether a refused token should send the user to log in again: not when the login is a few seconds old, since the
    /// provider would hand out a token the frontend refuses just the same, and the browser would go round forever
    /// (a frontend that does not trust this provider's keys, or wants another audience).
    /// </summary>
    public static bool MayLogInAgain(HttpContext context) =>
        context.Features.Get<UiUser>()?.Properties.IssuedUtc is not { } issued
        || (context.RequestServices.GetService<TimeProvider>() ?? TimeProvider.System).GetUtcNow() - issued > FreshLogin;

    /// <summary>The bearer token of the signed-in user of this request, or null when the login is off.</summary>
    public static string? BearerToken(HttpContext context, bool useIdToken) =>
        context.Features.Get<UiUser>()?.Properties.GetTokenValue(useIdToken ? "id_token" : "access_token");

    /// <summary>The name the header shows, or null when the login is off.</summary>
    public static string? UserName(HttpContext context) =>
        context.Features.Get<UiUser>() is null ? null
            : context.User.Identity?.Name ?? context.User.FindFirst("email")?.Value ?? context.User.FindFirst("sub")?.Value ?? "signed in";

    /// <summary>A session whose access token has expired logs in again (silently, while the provider's own session lasts).</summary>
    private static bool Expired(AuthenticationProperties properties, HttpContext context) =>
        properties.GetTokenValue(TokenExpiry) is { } text && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.None, out var expiry) && expiry <= (context.RequestServices.GetService<TimeProvider>() ?? TimeProvider.System).GetUtcNow();

    /// <summary>A path of this site: "//host/..." (GET //evil.example/ has that path) and "/\\host" would leave it after the login.</summary>
    private static bool IsLocal(string url) =>
        url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal);

    private static string SamePageOrHome(HttpRequest request) =>
        Uri.TryCreate(request.Headers.Referer.ToString(), UriKind.Absolute, out var referer)
            && string.Equals(referer.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase)
            ? referer.PathAndQuery
            : "/";

    /// <summary>The signed-in session of a request.</summary>
    private sealed record UiUser(AuthenticationProperties Properties);
}
