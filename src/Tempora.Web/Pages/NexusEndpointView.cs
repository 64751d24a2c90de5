using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Tempora.Web.Markup;
using Tempora.Web.Rendering;
using Temporalio.Api.Nexus.V1;
using Endpoint = Temporalio.Api.Nexus.V1.Endpoint;

namespace Tempora.Web.Pages;

/// <summary>How a Nexus endpoint's target reads on the list and the endpoint's page.</summary>
internal static class NexusEndpointView
{
    /// <summary>
    /// A worker target as its namespace and task queue, each linked to its page; an external target as its URL, as
    /// text: the UI does not send anyone to a URL an operator typed.
    /// </summary>
    public static Html Target(EndpointTarget? target) => target?.VariantCase switch
    {
        EndpointTarget.VariantOneofCase.Worker => Html.Of($"""
            <a href="{Format.NamespaceUrl(target.Worker.Namespace)}">{target.Worker.Namespace}</a> / <a href="{Format.TaskQueueUrl(target.Worker.Namespace, target.Worker.TaskQueue)}">{target.Worker.TaskQueue}</a>
            """),
        EndpointTarget.VariantOneofCase.External => Html.Of($"<span class=\"mono\">{target.External.Url}</span>"),
        _ => Html.Of($"<span class=\"muted\">none</span>"),
    };

    /// <summary>
    /// The endpoint the route's id names, read for its page or its edit form; null when the not-found page was written
    /// instead. The server refuses an id that is not a UUID; no endpoint has it, so that is the not-found page too, as
    /// an unknown UUID is (NotFound goes through the usual error page).
    /// </summary>
    public static async Task<Endpoint?> GetOrNotFoundAsync(UiRequest request)
    {
        var endpointId = request.RouteValue("endpointId")!;
        try
        {
            var response = await request.CallAsync<Temporalio.Api.OperatorService.V1.GetNexusEndpointRequest,
                Temporalio.Api.OperatorService.V1.GetNexusEndpointResponse>(new() { Id = endpointId });
            return response.Endpoint ?? new Endpoint();
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.InvalidArgument)
        {
            await request.WriteErrorAsync(StatusCodes.Status404NotFound, "Not found", $"There is no Nexus endpoint with the ID {endpointId}: {e.Status.Detail}");
            return null;
        }
    }

    public static string TargetKind(EndpointTarget? target) => target?.VariantCase switch
    {
        EndpointTarget.VariantOneofCase.Worker => "Worker",
        EndpointTarget.VariantOneofCase.External => "External URL",
        _ => "–",
    };
}
