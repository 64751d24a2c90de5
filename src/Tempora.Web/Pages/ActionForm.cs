using Microsoft.AspNetCore.Http;
using Tempora.Web.Security;

namespace Tempora.Web.Pages;

/// <summary>
/// The checks every posted action passes before it is read: same origin, an HTML form, within the form reader's
/// limits, with the antiforgery token of a form this UI rendered. A refused post has been answered when
/// <see cref="ReadAsync"/> returns null.
/// </summary>
internal static class ActionForm
{
    /// <param name="page">What to open and submit the form from, in the refusal ("the workflow's page").</param>
    public static async Task<IFormCollection?> ReadAsync(UiRequest request, string page)
    {
        if (!IsSameOrigin(request.Http.Request))
        {
            await request.WriteErrorAsync(StatusCodes.Status403Forbidden, "Refused",
                $"This action was posted from another site; open {page} and submit it from there.");
            return null;
        }
        if (!request.Http.Request.HasFormContentType)
        {
            await request.WriteErrorAsync(StatusCodes.Status415UnsupportedMediaType, "Unsupported form",
                "Actions take an HTML form (application/x-www-form-urlencoded or multipart/form-data).");
            return null;
        }
        IFormCollection form;
        try
        {
            form = await request.Http.Request.ReadFormAsync(request.Aborted);
        }
        catch (InvalidDataException e)
        {
            // The form reader's own limits (field count, name and value length), past which it stops reading.
            await request.WriteErrorAsync(StatusCodes.Status413PayloadTooLarge, "Too large", e.Message);
            return null;
        }
        if (!await UiAntiforgery.IsValidAsync(request.Http))
        {
            await request.WriteErrorAsync(StatusCodes.Status400BadRequest, "Refused",
                $"This form has no valid antiforgery token (it was not rendered by this UI for you, or your session changed); open {page} and submit it again.");
            return null;
        }
        return form;
    }

    /// <summary>
    /// Cross-site request check without tokens: browsers send Origin on every form POST, and a page on another site
    /// cannot forge it. A request without Origin (curl, scripts) is not a browser being tricked.
    /// </summary>
    private static bool IsSameOrigin(HttpRequest request)
    {
        var origin = request.Headers.Origin.ToString();
        return origin.Length == 0 || (Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase));
    }
}
