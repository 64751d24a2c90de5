using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tempora.Core.Loopback;
using Tempora.Web.Markup;
using Tempora.Web.Pages;
using Tempora.Web.Rendering;
using Tempora.Web.Security;

namespace Tempora.Web;

/// <summary>
/// The UI's routes, following the Temporal UI's URLs so that bookmarks carry over. They are plain request delegates
/// (no minimal-API code generation), which keeps them off the server's start-up and first-request path.
/// </summary>
internal static partial class WebUiEndpoints
{
    /// <summary>Prefix of the embedded stylesheet, script and the namespace switcher's target.</summary>
    public const string AssetPath = "/_ui/";

    public static void Map(WebApplication app)
    {
        var settings = app.Services.GetRequiredService<WebUiSettings>();
        var frontend = app.Services.GetRequiredKeyedService<FrontendClient>(WebUiExtensions.FrontendKey);
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Tempora.Web");

        var allowedHosts = new UiHostAllowList(settings.AllowedHosts, MachineName());
        var auth = settings.Auth;
        var policy = auth is null ? UiResponseHeaders.ContentSecurityPolicy : UiResponseHeaders.PolicyWithProvider(auth.ProviderUrl);

        // Runs after routing picked an endpoint: the UI port serves UI endpoints only (its own 404 page for anything
        // else, /metrics included), and other ports never serve a UI endpoint.
        app.Use(async (context, next) =>
        {
            var onUiPort = context.Connection.LocalPort == settings.UiPort();
            if (onUiPort)
            {
                UiResponseHeaders.Apply(context.Response, policy);
                if (!allowedHosts.Allows(context.Request.Host))
                {
                    await RefuseHostAsync(context);
                    return;
                }
                // The gRPC port takes large messages, so Kestrel's own limit is off; a form of the UI is small.
                if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
                {
                    bodySize.MaxRequestBodySize = MaxRequestBodyBytes;
                }
                // With the login on, nothing on the UI port (pages, assets, the 404 page) answers before it.
                if (auth is not null && await UiLogin.HandleAsync(context))
                {
                    return;
                }
            }
            var uiEndpoint = context.GetEndpoint()?.Metadata.GetMetadata<UiEndpoint>() is not null;
            if (onUiPort == uiEndpoint)
            {
                await next(context);
            }
            else if (onUiPort)
            {
                await new UiRequest(context, frontend).WriteErrorAsync(StatusCodes.Status404NotFound, "Not found",
                    $"There is no page at {context.Request.Path}.");
            }
            else
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
            }
        });

        var ui = app.MapGroup("").WithMetadata(new UiEndpoint());
        RequestDelegate Page(Func<UiRequest, Task> handler) => async context =>
        {
            var request = new UiRequest(context, frontend);
            try
            {
                await handler(request);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unauthenticated && auth is not null && !context.Response.HasStarted)
            {
                if (UiLogin.MayLogInAgain(context))
                {
                    // The frontend no longer takes the user's token (expired, revoked, keys rotated): log in again.
                    await UiLogin.ChallengeAsync(context);
                }
                else
                {
                    await request.WriteErrorAsync(StatusCodes.Status401Unauthorized, "Not signed in",
                        $"The server refuses the token of your login at {auth.ProviderUrl.Host}: {e.Status.Detail} Its authorization settings must trust that provider's keys.");
                }
            }
            catch (RpcException e) when (!context.Response.HasStarted)
            {
                await request.WriteErrorAsync(e);
            }
            catch (BadHttpRequestException e) when (!context.Response.HasStarted)
            {
                // Kestrel's answer to a body over MaxRequestBodyBytes (413) or a malformed one (400).
                await request.WriteErrorAsync(e.StatusCode, e.StatusCode == StatusCodes.Status413PayloadTooLarge ? "Too large" : "Bad request",
                    e.StatusCode == StatusCodes.Status413PayloadTooLarge
                        ? $"The form is larger than the {MaxRequestBodyBytes / 1024} KiB the UI accepts."
                        : e.Message);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                // The browser went away.
            }
            catch (Exception e) when (!context.Response.HasStarted)
            {
                LogPageFailed(logger, context.Request.Path, e);
                await request.WriteErrorAsync(StatusCodes.Status500InternalServerError, "Internal error",
                    $"The page could not be built: {e.Message}");
            }
        };

        ui.MapGet("/", context =>
        {
            context.Response.Redirect(Format.WorkflowsUrl("default"));
            return Task.CompletedTask;
        });
        ui.MapGet(AssetPath + "{file}", Assets.ServeAsync);
        ui.MapGet(AssetPath + "namespace", context =>
        {
            var ns = context.Request.Query["ns"].ToString();
            context.Response.Redirect(ns.Length == 0 ? "/" : Format.WorkflowsUrl(ns));
            return Task.CompletedTask;
        });
        ui.MapGet("/namespaces", Page(NamespacePage.RenderListAsync));
        ui.MapGet("/namespaces/{namespace}", Page(NamespacePage.RenderAsync));
        ui.MapGet("/namespaces/{namespace}/workflows", Page(WorkflowListPage.RenderAsync));
        ui.MapGet("/namespaces/{namespace}/workflows/{workflowId}", Page(WorkflowDetailPage.RedirectToLatestRunAsync));
        ui.MapGet("/namespaces/{namespace}/workflows/{workflowId}/{runId}", context =>
        {
            context.Response.Redirect(RawRouteValues.RawPath(context).TrimEnd('/') + "/history" + context.Request.QueryString);
            return Task.CompletedTask;
        });
        ui.MapGet("/namespaces/{namespace}/workflows/{workflowId}/{runId}/history", Page(WorkflowDetailPage.RenderAsync));
        ui.MapGet("/namespaces/{namespace}/workflows/{workflowId}/{runId}/history/json", Page(HistoryDownload.WriteAsync));
        ui.MapPost("/namespaces/{namespace}/workflows/{workflowId}/{runId}/{action}", Page(WorkflowActions.HandleAsync));
        ui.MapGet("/namespaces/{namespace}/archival", Page(ArchivalListPage.RenderAsync));
        ui.MapGet("/namespaces/{namespace}/archival/{workflowId}/{runId}/history", Page(WorkflowDetailPage.RenderArchivedAsync));
        ui.MapGet("/namespaces/{namespace}/archival/{workflowId}/{runId}/history/json", Page(HistoryDownload.WriteAsync));
        ui.MapGet("/namespaces/{namespace}/batch-operations", Page(BatchListPage.RenderAsync));
        ui.MapPost("/namespaces/{namespace}/batch-operations", Page(BatchActions.HandleAsync));
        ui.MapGet("/namespaces/{namespace}/batch-operations/{jobId}", Page(BatchDetailPage.RenderAsync));
        ui.MapPost("/namespaces/{namespace}/batch-operations/{jobId}/stop", Page(BatchActions.StopAsync));
        ui.MapGet("/namespaces/{namespace}/task-queues/{taskQueue}", Page(TaskQueuePage.RenderAsync));
        ui.MapGet("/namespaces/{namespace}/schedules", Page(ScheduleListPage.RenderAsync));
        ui.MapGet("/namespaces/{namespace}/schedules/{scheduleId}", Page(ScheduleDetailPage.RenderAsync));
        ui.MapPost("/namespaces/{namespace}/schedules/{scheduleId}/{action}", Page(ScheduleActions.HandleAsync));
        ui.MapGet("/namespaces/{namespace}/worker-deployments", Page(DeploymentListPage.RenderAsync));
        ui.MapGet("/namespaces/{namespace}/worker-deployments/{deployment}", Page(DeploymentDetailPage.RenderAsync));
        ui.MapPost("/namespaces/{namespace}/worker-deployments/{deployment}/{action}", Page(DeploymentActions.HandleAsync));
        ui.MapGet("/namespaces/{namespace}/worker-deployments/{deployment}/version/{buildId}", Page(DeploymentVersionPage.RenderAsync));
        ui.MapPost("/namespaces/{namespace}/worker-deployments/{deployment}/version/{buildId}/delete", Page(DeploymentActions.DeleteVersionAsync));
        // Nexus endpoints are cluster-wide, not in a namespace, so they are at the Temporal UI's /nexus, next to /namespaces.
        ui.MapGet(Format.NexusEndpointsUrl, Page(NexusEndpointListPage.RenderAsync));
        ui.MapGet(Format.NexusEndpointCreateUrl, Page(NexusEndpointFormPage.RenderCreateAsync));
        ui.MapPost(Format.NexusEndpointCreateUrl, Page(NexusEndpointActions.CreateAsync));
        ui.MapGet(Format.NexusEndpointsUrl + "/{endpointId}", Page(NexusEndpointDetailPage.RenderAsync));
        ui.MapGet(Format.NexusEndpointsUrl + "/{endpointId}/edit", Page(NexusEndpointFormPage.RenderEditAsync));
        ui.MapPost(Format.NexusEndpointsUrl + "/{endpointId}/edit", Page(NexusEndpointActions.UpdateAsync));
        ui.MapPost(Format.NexusEndpointsUrl + "/{endpointId}/delete", Page(NexusEndpointActions.DeleteAsync));
        if (auth is not null)
        {
            ui.MapPost(UiLogin.LogoutPath, Page(async request =>
            {
                if (await ActionForm.ReadAsync(request, "any page") is not null)
                {
                    await UiLogin.LogoutAsync(request.Http);
                }
            }));
            ui.MapGet(UiLogin.SignedOutPath, Page(request => request.WritePageAsync("Signed out", Html.Of($"""
                <h1>Signed out</h1>
                <p>You have signed out of the Tempora UI.</p>
                <p><a href="/">Sign in again</a></p>
                """))));
        }
    }

    /// <summary>
    /// Largest request body the UI port reads: its forms hold a signal's or query's JSON input and a reason, so 1 MiB
    /// is ample; a bigger body answers 413 instead of being buffered.
    /// </summary>
    public const long MaxRequestBodyBytes = 1024 * 1024;

    private static string? MachineName()
    {
        try
        {
            return System.Net.Dns.GetHostName();
        }
        catch (System.Net.Sockets.SocketException)
        {
            return null;
        }
    }

    /// <summary>400 with a short text, as ASP.NET Core's host filtering answers: the page names the fix.</summary>
    private static Task RefuseHostAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsync(
            $"This server does not answer to the host name '{context.Request.Host.Host}'. If it is this server's name, "
            + "add it to the UI's allowed hosts (--ui-allowed-hosts, TEMPORA_UI_ALLOWED_HOSTS).\n", context.RequestAborted);
    }

    /// <summary>Marks the endpoints that belong to the UI port.</summary>
    private sealed class UiEndpoint;

    [LoggerMessage(EventId = 8001, Level = LogLevel.Error, Message = "Web UI page {Path} failed")]
    private static partial void LogPageFailed(ILogger logger, string path, Exception exception);
}
