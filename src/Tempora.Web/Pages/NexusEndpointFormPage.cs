using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Tempora.Web.Markup;
using Tempora.Web.Rendering;
using Temporalio.Api.OperatorService.V1;

namespace Tempora.Web.Pages;

/// <summary>
/// /nexus/create and /nexus/{endpointId}/edit (the Temporal UI's URLs): the endpoint form, posted back to the same
/// URL (<see cref="NexusEndpointActions"/>). A refused post shows the form again with what was typed and the server's
/// reason.
/// </summary>
internal static class NexusEndpointFormPage
{
    public static Task RenderCreateAsync(UiRequest request) =>
        RenderAsync(request, endpointId: null, NexusEndpointInput.Empty, Html.Empty, StatusCodes.Status200OK);

    public static async Task RenderEditAsync(UiRequest request)
    {
        if (await NexusEndpointView.GetOrNotFoundAsync(request) is not { } endpoint)
        {
            return;
        }
        await RenderAsync(request, request.RouteValue("endpointId")!, NexusEndpointInput.From(endpoint), Html.Empty, StatusCodes.Status200OK);
    }

    /// <param name="endpointId">The endpoint edited, or null for a new one.</param>
    public static Task RenderAsync(UiRequest request, string? endpointId, NexusEndpointInput input, Html banner, int statusCode) =>
        request.WritePageAsync(endpointId is null ? "New Nexus endpoint" : $"Edit Nexus endpoint {input.Name}",
            Render(endpointId, input, banner), statusCode);

    public static Html Render(string? endpointId, NexusEndpointInput input, Html banner)
    {
        var w = new HtmlWriter();
        var action = endpointId is null ? Format.NexusEndpointCreateUrl : Format.NexusEndpointEditUrl(endpointId);
        if (endpointId is null)
        {
            w.Write($"""
                <p class="crumbs"><a href="{Format.NexusEndpointsUrl}">Nexus endpoints</a> / new</p>
                <h1>New Nexus endpoint</h1>
                """);
        }
        else
        {
            w.Write($"""
                <p class="crumbs"><a href="{Format.NexusEndpointsUrl}">Nexus endpoints</a> / <a href="{Format.NexusEndpointUrl(endpointId)}">{input.Name}</a> / edit</p>
                <h1>Edit Nexus endpoint <span class="endpoint-name">{input.Name}</span></h1>
                """);
        }
        w.Write(banner);
        w.Write($"""
            <section class="card actions">
            <form method="post" action="{action}" class="nexus-endpoint-form">
            <label>Name <input type="text" name="name" value="{input.Name}" required maxlength="200" autocomplete="off"></label>
            <label>Description <textarea name="description" rows="4">{input.Description}</textarea></label>
            <fieldset><legend>Target</legend>
            <label class="inline"><input type="radio" name="target" value="worker"{Checked(!input.External)}> a worker: namespace and task queue</label>
            <label>Target namespace <input type="text" name="namespace" value="{input.Namespace}" autocomplete="off"></label>
            <label>Target task queue <input type="text" name="task-queue" value="{input.TaskQueue}" autocomplete="off"></label>
            <label class="inline"><input type="radio" name="target" value="external"{Checked(input.External)}> an external URL</label>
            <label>Target URL <input type="url" name="url" value="{input.Url}" autocomplete="off" placeholder="https://…"></label>
            </fieldset>
            """);
        if (endpointId is not null)
        {
            // The version read with the form: the server refuses the update if someone changed the endpoint since.
            w.Write($"<input type=\"hidden\" name=\"version\" value=\"{input.Version}\">");
        }
        w.Write($"""
            <button type="submit">{(endpointId is null ? "Create endpoint" : "Save")}</button>
            </form>
            </section>
            """);
        return w.ToHtml();
    }

    private static Html Checked(bool on) => on ? Html.Of($" checked") : Html.Empty;
}
