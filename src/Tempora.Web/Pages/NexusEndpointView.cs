using Tempora.Web.Markup;
using Tempora.Web.Rendering;
using Temporalio.Api.Nexus.V1;

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

    public static string TargetKind(EndpointTarget? target) => target?.VariantCase switch
    {
        EndpointTarget.VariantOneofCase.Worker => "Worker",
        EndpointTarget.VariantOneofCase.External => "External URL",
        _ => "–",
    };
}
