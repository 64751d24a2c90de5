using Google.Protobuf;
using Microsoft.AspNetCore.WebUtilities;
using Tempora.Web.Markup;

namespace Tempora.Web.Rendering;

/// <summary>
/// The "Next page →" and "First page" links under a list that pages with the API's <c>next_page_token</c>: the next
/// link while the server says more follow, the first-page link on any page after the first.
/// </summary>
internal static class PagingLinks
{
    /// <param name="w">The page being written.</param>
    /// <param name="nextPageToken">The token the server answered with (empty on the last page).</param>
    /// <param name="onLaterPage">Whether this page was asked for with a token.</param>
    /// <param name="url">The list's URL for a page token (Base64Url-encoded), or for the first page when null.</param>
    public static void Write(HtmlWriter w, ByteString nextPageToken, bool onLaterPage, Func<string?, string> url)
    {
        if (!nextPageToken.IsEmpty)
        {
            w.Write($"<p class=\"paging\"><a href=\"{url(WebEncoders.Base64UrlEncode(nextPageToken.Span))}\" rel=\"next\">Next page →</a>");
            if (onLaterPage)
            {
                w.Write($" <a href=\"{url(null)}\">First page</a>");
            }
            w.Write($"</p>");
        }
        else if (onLaterPage)
        {
            w.Write($"<p class=\"paging\"><a href=\"{url(null)}\">First page</a></p>");
        }
    }
}
