using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Tempora.Web.Markup;
using Tempora.Web.Rendering;
using Temporalio.Api.OperatorService.V1;

namespace Tempora.Web.Pages;

/// <summary>
/// POST /nexus/create, /nexus/{endpointId}/edit and /nexus/{endpointId}/delete, through OperatorService's
/// Create/Update/DeleteNexusEndpoint. A change answers with a redirect (so a reload does not repeat it); a refusal
/// (a taken name, a stale version, a bad target) is shown on the form or the endpoint's page, with what was typed.
/// </summary>
internal static class NexusEndpointActions
{
    public static async Task CreateAsync(UiRequest request)
    {
        if (await ActionForm.ReadAsync(request, "the new endpoint form") is not { } form)
        {
            return;
        }
        var input = NexusEndpointInput.From(form);
        try
        {
            var created = await request.CallAsync<CreateNexusEndpointRequest, CreateNexusEndpointResponse>(new() { Spec = input.ToSpec() });
            Redirect(request, Format.NexusEndpointUrl(created.Endpoint.Id) + "?done=create");
        }
        catch (RpcException e) when (UiRequest.ShownOnPage(e))
        {
            var (status, _) = UiRequest.Describe(e.StatusCode);
            await NexusEndpointFormPage.RenderAsync(request, endpointId: null, input, Error(UiRequest.Refusal(e)), status);
        }
    }

    public static async Task UpdateAsync(UiRequest request)
    {
        var endpointId = request.RouteValue("endpointId")!;
        if (await ActionForm.ReadAsync(request, "the endpoint's edit form") is not { } form)
        {
            return;
        }
        var input = NexusEndpointInput.From(form);
        try
        {
            await request.CallAsync<UpdateNexusEndpointRequest, UpdateNexusEndpointResponse>(new()
            {
                Id = endpointId,
                Version = input.Version,
                Spec = input.ToSpec(),
            });
            Redirect(request, Format.NexusEndpointUrl(endpointId) + "?done=edit");
        }
        catch (RpcException e) when (UiRequest.ShownOnPage(e))
        {
            var (status, _) = UiRequest.Describe(e.StatusCode);
            await NexusEndpointFormPage.RenderAsync(request, endpointId, input, Error(UiRequest.Refusal(e)), status);
        }
    }

    public static async Task DeleteAsync(UiRequest request)
    {
        var endpointId = request.RouteValue("endpointId")!;
        if (await ActionForm.ReadAsync(request, "the endpoint's page") is not { } form)
        {
            return;
        }
        var input = NexusEndpointInput.From(form);
        try
        {
            // With the version read on the page, so that a delete does not remove an endpoint someone has just changed.
            await request.CallAsync<DeleteNexusEndpointRequest, DeleteNexusEndpointResponse>(new() { Id = endpointId, Version = input.Version });
            Redirect(request, $"{Format.NexusEndpointsUrl}?done=delete&name={Uri.EscapeDataString(input.Name)}");
        }
        catch (RpcException e) when (UiRequest.ShownOnPage(e) && e.StatusCode != StatusCode.NotFound)
        {
            var (status, _) = UiRequest.Describe(e.StatusCode);
            await NexusEndpointDetailPage.RenderAsync(request, Error(UiRequest.Refusal(e)), status);
        }
    }

    private static void Redirect(UiRequest request, string url) =>
        request.Http.Response.Redirect(url, permanent: false, preserveMethod: false);

    private static Html Error(string message) => Html.Of($"<p class=\"error\" role=\"alert\">{message}</p>");
}
