using Microsoft.AspNetCore.Http;

namespace Tempora.Web.Security;

/// <summary>
/// Headers on every response of the UI port. The pages load only the embedded site.css and site.js, have no inline
/// script or style (the timeline is SVG geometry, not style attributes), and post forms to themselves, so the policy
/// can allow nothing but this origin; with the login on, forms may also lead to the provider (a post answered by the
/// login redirect, the logout), since form-action also governs where a submitted form is redirected.
/// </summary>
internal static class UiResponseHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; base-uri 'none'; "
        + "form-action 'self'; frame-ancestors 'none'";

    /// <summary>The policy when forms may also lead to the login provider at <paramref name="provider"/>.</summary>
    public static string PolicyWithProvider(Uri provider) =>
        ContentSecurityPolicy.Replace("form-action 'self'", $"form-action 'self' {provider.GetLeftPart(UriPartial.Authority)}", StringComparison.Ordinal);

    public static void Apply(HttpResponse response, string policy = ContentSecurityPolicy)
    {
        var headers = response.Headers;
        headers.ContentSecurityPolicy = policy;
        // frame-ancestors is CSP's word for it; X-Frame-Options is for browsers that predate it.
        headers.XFrameOptions = "DENY";
        headers.XContentTypeOptions = "nosniff";
        // Workflow ids and queries are in the URLs; they go to no other site.
        headers["Referrer-Policy"] = "same-origin";
    }
}
