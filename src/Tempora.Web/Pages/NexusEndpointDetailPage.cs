using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Tempora.Web.Markup;
using Tempora.Web.Rendering;
using Temporalio.Api.Nexus.V1;
using NexusEndpoint = Temporalio.Api.Nexus.V1.Endpoint;
using Temporalio.Api.OperatorService.V1;

namespace Tempora.Web.Pages;

/// <summary>
/// /nexus/{endpointId}: one Nexus endpoint (GetNexusEndpoint) with every field, a link to its edit form and the delete
/// form (<see cref="NexusEndpointActions"/>).
/// </summary>
internal static class NexusEndpointDetailPage
{
    public static Task RenderAsync(UiRequest request) => RenderAsync(request, Notice(request.Query("done")), StatusCodes.Status200OK);

    /// <summary>The page with a banner on top (an action's outcome or refusal).</summary>
    public static async Task RenderAsync(UiRequest request, Html banner, int statusCode)
    {
        if (await NexusEndpointView.GetOrNotFoundAsync(request) is not { } endpoint)
        {
            return;
        }
        await request.WritePageAsync($"Nexus endpoint {endpoint.Spec?.Name}", Render(endpoint, banner), statusCode);
    }

    private static Html Notice(string done) => done switch
    {
        "create" => Html.Of($"<p class=\"notice\" role=\"status\">Endpoint created.</p>"),
        "edit" => Html.Of($"<p class=\"notice\" role=\"status\">Endpoint saved.</p>"),
        _ => Html.Empty,
    };

    /// <summary>The page's content for an endpoint (apart from the call, so that it can be checked on its own).</summary>
    public static Html Render(NexusEndpoint endpoint) => Render(endpoint, Html.Empty);

    public static Html Render(NexusEndpoint endpoint, Html banner)
    {
        var spec = endpoint.Spec ?? new EndpointSpec();
        var w = new HtmlWriter();
        w.Write($"""
            <p class="crumbs"><a href="{Format.NexusEndpointsUrl}">Nexus endpoints</a> / {spec.Name}</p>
            <h1>Nexus endpoint <span class="endpoint-name">{spec.Name}</span></h1>
            {banner}
            <section class="card"><h2>Endpoint</h2>
            <dl class="summary">
            <dt>ID</dt><dd class="mono endpoint-id">{endpoint.Id}</dd>
            <dt>Name</dt><dd>{spec.Name}</dd>
            <dt>Target</dt><dd>{NexusEndpointView.TargetKind(spec.Target)}</dd>
            """);
        if (spec.Target?.VariantCase == EndpointTarget.VariantOneofCase.Worker)
        {
            var worker = spec.Target.Worker;
            w.Write($"""
                <dt>Target namespace</dt><dd class="target-namespace"><a href="{Format.NamespaceUrl(worker.Namespace)}">{worker.Namespace}</a></dd>
                <dt>Target task queue</dt><dd class="target-task-queue"><a href="{Format.TaskQueueUrl(worker.Namespace, worker.TaskQueue)}">{worker.TaskQueue}</a></dd>
                """);
        }
        else if (spec.Target?.VariantCase == EndpointTarget.VariantOneofCase.External)
        {
            w.Write($"<dt>Target URL</dt><dd class=\"mono target-url\">{spec.Target.External.Url}</dd>");
        }
        w.Write($"""
            <dt>Version</dt><dd class="version">{endpoint.Version}</dd>
            <dt>URL prefix</dt><dd class="mono">{endpoint.UrlPrefix}</dd>
            <dt>Created</dt><dd class="created">{Format.Time(endpoint.CreatedTime)}</dd>
            <dt>Last modified</dt><dd class="modified">{Format.Time(endpoint.LastModifiedTime)}</dd>
            </dl>
            <h3>Description</h3>
            <div class="description">{Description(spec)}</div>
            </section>
            <section class="card actions"><h2>Actions</h2>
            <p><a class="edit-endpoint" href="{Format.NexusEndpointEditUrl(endpoint.Id)}">Edit endpoint</a></p>
            <details><summary>Delete</summary>
            <form method="post" action="{Format.NexusEndpointUrl(endpoint.Id)}/delete" data-confirm="Delete the Nexus endpoint {spec.Name}? Operations scheduled on it fail.">
            <p class="small">Workflows can no longer schedule operations on it; operations already scheduled on it fail.</p>
            <input type="hidden" name="version" value="{endpoint.Version}">
            <input type="hidden" name="name" value="{spec.Name}">
            <button type="submit" class="danger">Delete endpoint</button>
            </form></details>
            </section>
            """);
        return w.ToHtml();
    }

    /// <summary>The description payload as payloads read elsewhere (the CLI writes it json/plain, so it is often a string).</summary>
    private static Html Description(EndpointSpec spec) => spec.Description is null
        ? Html.Of($"<span class=\"muted\">none</span>")
        : PayloadView.Render(spec.Description);
}
