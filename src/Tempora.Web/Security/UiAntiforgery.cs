using System.Text;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Tempora.Web.Security;

/// <summary>
/// ASP.NET Core antiforgery for the UI's actions, on top of the same-origin check (<see cref="Pages.ActionForm"/>): a
/// token in each form, paired with a cookie and, when the login is on, bound to the user. The field is added to every
/// <c>&lt;form method="post"</c> of a page as it is written, so no form can be rendered without it.
/// </summary>
internal static class UiAntiforgery
{
    public const string FieldName = "__af";

    private const string FormTag = "<form method=\"post\"";

    public static void AddServices(IServiceCollection services, bool secureCookie) =>
        services.AddAntiforgery(o =>
        {
            o.FormFieldName = FieldName;
            o.HeaderName = null;
            o.Cookie.Name = "tempora-af";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            // With the login on the session cookie is Secure too; without it the UI may well be plain http on a LAN.
            o.Cookie.SecurePolicy = secureCookie ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
            // The UI sends X-Frame-Options DENY itself (UiResponseHeaders).
            o.SuppressXFrameOptionsHeader = true;
        });

    /// <summary>The page with the token field after the opening tag of each POST form (and its cookie set).</summary>
    public static string AddTokens(HttpContext context, string html)
    {
        var at = html.IndexOf(FormTag, StringComparison.Ordinal);
        if (at < 0)
        {
            return html;
        }
        var token = context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context).RequestToken!;
        // The token is base64url: nothing in it needs encoding in an attribute.
        var field = $"<input type=\"hidden\" name=\"{FieldName}\" value=\"{token}\">";
        var page = new StringBuilder(html.Length + (4 * field.Length));
        var from = 0;
        while (at >= 0)
        {
            // Attribute values are HTML-encoded (Markup/HtmlHandler), so the first '>' closes the tag.
            var end = html.IndexOf('>', at) + 1;
            page.Append(html, from, end - from).Append(field);
            from = end;
            at = html.IndexOf(FormTag, from, StringComparison.Ordinal);
        }
        return page.Append(html, from, html.Length - from).ToString();
    }

    /// <summary>Whether the posted form carries a token that matches this browser's cookie (and user).</summary>
    public static Task<bool> IsValidAsync(HttpContext context) =>
        context.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(context);
}
