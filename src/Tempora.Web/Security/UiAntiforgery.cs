using System.Text;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Tempora.Web.Security;

/// <summary>
/// ASP.NET Core antiforgery for the UI's actions, on top of the same-origin check (<see cref="Pages.ActionForm"/>): a
/// token in each form, paired with a cookie and, when the login is on, bound to the user. The field is added to every
/// <c>&lt;form … method="post"&gt;</c> of a page as it is written, so no form can be rendered without it.
/// </summary>
internal static partial class UiAntiforgery
{
    public const string FieldName = "__af";

    private const string FormTag = "<form ";
    private const string PostMethod = " method=\"post\"";

    public static void AddServices(IServiceCollection services) =>
        services.AddAntiforgery(o =>
        {
            o.FormFieldName = FieldName;
            o.HeaderName = null;
            o.Cookie.Name = "tempora-af";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            // Secure when the request came over https. Not Always: antiforgery then refuses every plain-http request,
            // which is what the UI sees behind an ingress that ends TLS. The cookie grants nothing on its own.
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            // The UI sends X-Frame-Options DENY itself (UiResponseHeaders).
            o.SuppressXFrameOptionsHeader = true;
        });

    /// <summary>The page with the token field after the opening tag of each POST form (and its cookie set).</summary>
    public static string AddTokens(HttpContext context, string html)
    {
        var page = new StringBuilder(html.Length + 512);
        string? field = null;
        var from = 0;
        for (var at = html.IndexOf(FormTag, StringComparison.Ordinal); at >= 0; at = html.IndexOf(FormTag, from, StringComparison.Ordinal))
        {
            // Attribute values are HTML-encoded (Markup/HtmlHandler), so the first '>' closes the tag.
            var end = html.IndexOf('>', at) + 1;
            page.Append(html, from, end - from);
            from = end;
            if (html.AsSpan(at, end - at).Contains(PostMethod, StringComparison.Ordinal))
            {
                // The token is base64url: nothing in it needs encoding in an attribute.
                field ??= $"<input type=\"hidden\" name=\"{FieldName}\" value=\"{context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context).RequestToken}\">";
                page.Append(field);
            }
        }
        return from == 0 ? html : page.Append(html, from, html.Length - from).ToString();
    }

    /// <summary>Whether the posted form carries a token that matches this browser's cookie (and user).</summary>
    public static async Task<bool> IsValidAsync(HttpContext context)
    {
        try
        {
            await context.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(context);
            return true;
        }
        catch (AntiforgeryValidationException e)
        {
            Log.AntiforgeryRefused(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Tempora.Web"), context.Request.Path, e.Message);
            return false;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 8002, Level = LogLevel.Information, Message = "Web UI refused a post to {Path}: {Reason}")]
        public static partial void AntiforgeryRefused(ILogger logger, string path, string reason);
    }
}
