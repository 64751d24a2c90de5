using System.Globalization;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Tempora.Web.Markup;
using Tempora.Web.Rendering;
using Temporalio.Api.Deployment.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Web.Pages;

/// <summary>
/// POST /namespaces/{ns}/worker-deployments/{deployment}/{action} (set-current, set-ramping, stop-ramping, delete) and
/// …/version/{buildId}/delete. A change answers with a redirect (so a reload does not repeat it); a refusal (a stale
/// conflict token, a version missing task queues, a version still draining, "Not allowed") is shown on the page the
/// form came from, with what was chosen.
/// </summary>
internal static class DeploymentActions
{
    /// <summary>The identity the UI's changes carry: its workflow actions' own.</summary>
    private const string Identity = WorkflowActions.Identity;

    public static async Task HandleAsync(UiRequest request)
    {
        var ns = request.RequiredNamespace;
        var name = request.RouteValue("deployment")!;
        var action = request.RouteValue("action")!;
        if (action is not ("set-current" or "set-ramping" or "stop-ramping" or "delete"))
        {
            await request.WriteErrorAsync(StatusCodes.Status404NotFound, "Not found", $"There is no deployment action '{action}'.");
            return;
        }
        if (await ActionForm.ReadAsync(request, "the deployment's page") is not { } form)
        {
            return;
        }
        var choice = DeploymentChoice.From(action, form);
        try
        {
            var done = action switch
            {
                "set-current" => await SetCurrentAsync(request, ns, name, choice),
                "set-ramping" => await SetRampingAsync(request, ns, name, choice),
                "stop-ramping" => await StopRampingAsync(request, ns, name, choice),
                _ => await DeleteDeploymentAsync(request, ns, name),
            };
            if (done)
            {
                Redirect(request, action == "delete"
                    ? $"{Format.DeploymentsUrl(ns)}?done=delete&name={Uri.EscapeDataString(name)}"
                    : $"{Format.DeploymentUrl(ns, name)}?done={action}");
            }
        }
        catch (RpcException e) when (UiRequest.ShownOnPage(e) && e.StatusCode != StatusCode.Unimplemented)
        {
            var (status, _) = UiRequest.Describe(e.StatusCode);
            await DeploymentDetailPage.RenderAsync(request, Error(UiRequest.Refusal(e)), status, choice);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unimplemented)
        {
            await DeploymentView.WriteUnimplementedAsync(request, ns, e);
        }
    }

    /// <summary>POST …/version/{buildId}/delete: DeleteWorkerDeploymentVersion, optionally skipping drainage.</summary>
    public static async Task DeleteVersionAsync(UiRequest request)
    {
        var ns = request.RequiredNamespace;
        var name = request.RouteValue("deployment")!;
        var buildId = request.RouteValue("buildId")!;
        if (await ActionForm.ReadAsync(request, "the version's page") is not { } form)
        {
            return;
        }
        try
        {
            await request.CallAsync<DeleteWorkerDeploymentVersionRequest, DeleteWorkerDeploymentVersionResponse>(new()
            {
                Namespace = ns,
                DeploymentVersion = new WorkerDeploymentVersion { DeploymentName = name, BuildId = buildId },
                SkipDrainage = form["skip-drainage"] == "true",
                Identity = Identity,
            });
            Redirect(request, $"{Format.DeploymentUrl(ns, name)}?done=delete-version");
        }
        catch (RpcException e) when (UiRequest.ShownOnPage(e) && e.StatusCode is not (StatusCode.Unimplemented or StatusCode.NotFound))
        {
            var (status, _) = UiRequest.Describe(e.StatusCode);
            await DeploymentVersionPage.RenderAsync(request, Error(UiRequest.Refusal(e)), status);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unimplemented)
        {
            await DeploymentView.WriteUnimplementedAsync(request, ns, e);
        }
    }

    private static async Task<bool> SetCurrentAsync(UiRequest request, string ns, string name, DeploymentChoice choice)
    {
        await request.CallAsync<SetWorkerDeploymentCurrentVersionRequest, SetWorkerDeploymentCurrentVersionResponse>(new()
        {
            Namespace = ns,
            DeploymentName = name,
            BuildId = choice.BuildIdToSend,
            ConflictToken = Token(choice),
            Identity = Identity,
            IgnoreMissingTaskQueues = choice.IgnoreMissingTaskQueues,
        });
        return true;
    }

    private static async Task<bool> SetRampingAsync(UiRequest request, string ns, string name, DeploymentChoice choice)
    {
        if (!float.TryParse(choice.Percentage, NumberStyles.Float, CultureInfo.InvariantCulture, out var percentage) || !float.IsFinite(percentage))
        {
            await DeploymentDetailPage.RenderAsync(request, Error("The percentage must be a number from 0 to 100."), StatusCodes.Status400BadRequest, choice);
            return false;
        }
        // An empty build id with a percentage above 0 ramps the unversioned workers (Temporal's reading of the request).
        await request.CallAsync<SetWorkerDeploymentRampingVersionRequest, SetWorkerDeploymentRampingVersionResponse>(new()
        {
            Namespace = ns,
            DeploymentName = name,
            BuildId = choice.BuildIdToSend,
            Percentage = percentage,
            ConflictToken = Token(choice),
            Identity = Identity,
            IgnoreMissingTaskQueues = choice.IgnoreMissingTaskQueues,
        });
        return true;
    }

    /// <summary>No build id and 0 %: the server's way of saying "no ramping version".</summary>
    private static async Task<bool> StopRampingAsync(UiRequest request, string ns, string name, DeploymentChoice choice)
    {
        await request.CallAsync<SetWorkerDeploymentRampingVersionRequest, SetWorkerDeploymentRampingVersionResponse>(new()
        {
            Namespace = ns,
            DeploymentName = name,
            ConflictToken = Token(choice),
            Identity = Identity,
        });
        return true;
    }

    private static async Task<bool> DeleteDeploymentAsync(UiRequest request, string ns, string name)
    {
        await request.CallAsync<DeleteWorkerDeploymentRequest, DeleteWorkerDeploymentResponse>(new()
        {
            Namespace = ns,
            DeploymentName = name,
            Identity = Identity,
        });
        return true;
    }

    /// <summary>The conflict token the page was rendered with; a form without one (a script's) skips the check, as the API does.</summary>
    private static ByteString Token(DeploymentChoice choice)
    {
        try
        {
            return choice.ConflictToken.Length == 0 ? ByteString.Empty : ByteString.CopyFrom(WebEncoders.Base64UrlDecode(choice.ConflictToken));
        }
        catch (FormatException)
        {
            // Not a token this UI wrote: send bytes no deployment has, so the server refuses the change as stale.
            return ByteString.CopyFromUtf8(choice.ConflictToken);
        }
    }

    private static void Redirect(UiRequest request, string url) =>
        request.Http.Response.Redirect(url, permanent: false, preserveMethod: false);

    private static Html Error(string message) => Html.Of($"<p class=\"error\" role=\"alert\">{message}</p>");
}
