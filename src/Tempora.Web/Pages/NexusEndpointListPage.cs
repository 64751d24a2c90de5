using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.WebUtilities;
using Tempora.Web.Markup;
using Tempora.Web.Rendering;
using Temporalio.Api.OperatorService.V1;

namespace Tempora.Web.Pages;

/// <summary>
/// /nexus: the cluster's Nexus endpoints (ListNexusEndpoints), a page at a time: name, target and created time.
/// A link leads to the new-endpoint form (<see cref="NexusEndpointFormPage"/>).
/// </summary>
internal static class NexusEndpointListPage
{
    private const int PageSize = 50;

    public static async Task RenderAsync(UiRequest request)
    {
        var token = request.Query("next");
        var w = new HtmlWriter();
        w.Write($"""
            <h1>Nexus endpoints</h1>
            <p><a class="create-endpoint" href="{Format.NexusEndpointCreateUrl}">Create endpoint</a></p>
            """);
        if (request.Query("done") == "delete")
        {
            w.Write($"<p class=\"notice\" role=\"status\">Endpoint {request.Query("name")} deleted.</p>");
        }

        ListNexusEndpointsResponse page;
        try
        {
            page = await request.CallAsync<ListNexusEndpointsRequest, ListNexusEndpointsResponse>(new()
            {
                PageSize = PageSize,
                NextPageToken = token.Length > 0 ? ByteString.CopyFrom(WebEncoders.Base64UrlDecode(token)) : ByteString.Empty,
            });
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.InvalidArgument)
        {
            // A page token the server cannot read (an edited URL): its message, as the schedule list shows a refusal.
            w.Write($"<p class=\"error\" role=\"alert\">{e.Status.Detail}</p>");
            await request.WritePageAsync("Nexus endpoints", w.ToHtml(), 400);
            return;
        }
        catch (FormatException)
        {
            w.Write($"<p class=\"error\" role=\"alert\">The page token in the URL is not valid; start from the first page.</p>");
            await request.WritePageAsync("Nexus endpoints", w.ToHtml(), 400);
            return;
        }

        WriteTable(w, page, firstPage: token.Length == 0);
        PagingLinks.Write(w, page.NextPageToken, onLaterPage: token.Length > 0,
            next => next is null ? Format.NexusEndpointsUrl : $"{Format.NexusEndpointsUrl}?next={Uri.EscapeDataString(next)}");
        await request.WritePageAsync("Nexus endpoints", w.ToHtml());
    }

    /// <summary>The table of one page of endpoints, or what to do when there is none.</summary>
    public static void WriteTable(HtmlWriter w, ListNexusEndpointsResponse page, bool firstPage)
    {
        if (page.Endpoints.Count == 0)
        {
            w.Write(firstPage
                ? Html.Of($"<p class=\"empty\">No Nexus endpoints yet. Create one here or with <code>temporal operator nexus endpoint create</code>.</p>")
                : Html.Of($"<p class=\"empty\">No more endpoints.</p>"));
            return;
        }
        w.Write($"""
            <div class="scroll"><table class="nexus-endpoints">
            <thead><tr><th>Name</th><th>Target</th><th>Created</th></tr></thead>
            <tbody>
            """);
        foreach (var endpoint in page.Endpoints)
        {
            w.Write($"""
                <tr>
                <td><a href="{Format.NexusEndpointUrl(endpoint.Id)}">{endpoint.Spec?.Name}</a></td>
                <td class="target">{NexusEndpointView.Target(endpoint.Spec?.Target)}</td>
                <td>{Format.Time(endpoint.CreatedTime)}</td>
                </tr>
                """);
        }
        w.Write($"</tbody></table></div>");
    }
}
