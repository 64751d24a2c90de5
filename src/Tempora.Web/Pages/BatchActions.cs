using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Tempora.Web.Markup;
using Tempora.Web.Rendering;
using Temporalio.Api.Batch.V1;
using Temporalio.Api.Common.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Web.Pages;

/// <summary>
/// POST /namespaces/{ns}/batch-operations: the workflow list's many-workflows actions. Without <c>confirmed</c> it
/// only renders the confirmation (count, query or ids; changes nothing); with it, StartBatchOperation, then a
/// redirect to the batch's page. POST .../batch-operations/{jobId}/stop: StopBatchOperation.
/// </summary>
internal static class BatchActions
{
    public static async Task HandleAsync(UiRequest request)
    {
        var ns = request.RequiredNamespace;
        if (await ActionForm.ReadAsync(request, "the workflow list") is not { } form)
        {
            return;
        }
        if (BatchOperationKind.Find(form["operation"].ToString()) is not { } kind)
        {
            await request.WriteErrorAsync(StatusCodes.Status400BadRequest, "Request refused",
                $"There is no batch operation '{form["operation"]}'; choose one on the workflow list.");
            return;
        }
        BatchSelection selection;
        try
        {
            selection = BatchSelection.Read(form);
        }
        catch (ActionInputException e)
        {
            await BatchConfirmPage.RenderNothingSelectedAsync(request, ns, kind, form, e.Message);
            return;
        }
        if (form["confirmed"] != "1")
        {
            await BatchConfirmPage.RenderAsync(request, ns, kind, selection, form, Html.Empty, StatusCodes.Status200OK);
            return;
        }
        try
        {
            var jobId = Guid.NewGuid().ToString();
            await request.CallAsync<StartBatchOperationRequest, StartBatchOperationResponse>(Build(ns, jobId, kind, selection, form));
            request.Http.Response.Redirect(Format.BatchUrl(ns, jobId) + "?done=start", permanent: false, preserveMethod: false);
        }
        catch (ActionInputException e)
        {
            await BatchConfirmPage.RenderAsync(request, ns, kind, selection, form, Error(e.Message), StatusCodes.Status400BadRequest);
        }
        catch (RpcException e) when (UiRequest.ShownOnPage(e))
        {
            // Shown on the confirmation, with the form as it was, so that it can be fixed and sent again.
            var (status, _) = UiRequest.Describe(e.StatusCode);
            await BatchConfirmPage.RenderAsync(request, ns, kind, selection, form, Error(Message(e)), status);
        }
    }

    /// <summary>POST .../batch-operations/{jobId}/stop, with a reason (Temporal requires one).</summary>
    public static async Task StopAsync(UiRequest request)
    {
        var ns = request.RequiredNamespace;
        var jobId = request.RouteValue("jobId")!;
        if (await ActionForm.ReadAsync(request, "the batch's page") is not { } form)
        {
            return;
        }
        try
        {
            await request.CallAsync<StopBatchOperationRequest, StopBatchOperationResponse>(new()
            {
                Namespace = ns,
                JobId = jobId,
                Reason = form["reason"].ToString().Trim() is { Length: > 0 } reason ? reason : "stopped from the web UI",
                Identity = WorkflowActions.Identity,
            });
            request.Http.Response.Redirect(Format.BatchUrl(ns, jobId) + "?done=stop", permanent: false, preserveMethod: false);
        }
        catch (RpcException e) when (UiRequest.ShownOnPage(e) && e.StatusCode != StatusCode.NotFound)
        {
            var (status, _) = UiRequest.Describe(e.StatusCode);
            await BatchDetailPage.RenderAsync(request, Error(Message(e)), status);
        }
    }

    internal static StartBatchOperationRequest Build(string ns, string jobId, BatchOperationKind kind, BatchSelection selection, IFormCollection form)
    {
        var start = new StartBatchOperationRequest
        {
            Namespace = ns,
            JobId = jobId,
            // Temporal refuses a batch without a reason; the one the user gave, else what the UI did.
            Reason = form["reason"].ToString().Trim() is { Length: > 0 } reason ? reason : $"{kind.Name} from the web UI",
        };
        if (selection.Executions is { } executions)
        {
            start.Executions.Add(executions);
        }
        else
        {
            start.VisibilityQuery = selection.VisibilityQuery(kind);
        }
        if (kind == BatchOperationKind.Terminate)
        {
            start.TerminationOperation = new BatchOperationTermination { Identity = WorkflowActions.Identity };
        }
        else if (kind == BatchOperationKind.Cancel)
        {
            start.CancellationOperation = new BatchOperationCancellation { Identity = WorkflowActions.Identity };
        }
        else if (kind == BatchOperationKind.Signal)
        {
            start.SignalOperation = new BatchOperationSignal
            {
                Signal = form["name"].ToString().Trim() is { Length: > 0 } name ? name : throw new ActionInputException("Give a signal name."),
                Input = WorkflowActions.Arguments(form),
                Identity = WorkflowActions.Identity,
            };
        }
        else
        {
            // The target as `temporal workflow reset --query --type` sends it (ResetOptions, not the older reset_type).
            var options = form["resetTo"].ToString() switch
            {
                "first" => new ResetOptions { FirstWorkflowTask = new Empty() },
                "last" => new ResetOptions { LastWorkflowTask = new Empty() },
                "build" => new ResetOptions
                {
                    BuildId = form["buildId"].ToString().Trim() is { Length: > 0 } buildId
                        ? buildId
                        : throw new ActionInputException("Give the build id whose first workflow task each run goes back to."),
                },
                _ => throw new ActionInputException("Choose the workflow task to reset to: the first, the last, or a build's first."),
            };
            start.ResetOperation = new BatchOperationReset { Identity = WorkflowActions.Identity, Options = options };
        }
        return start;
    }

    private static string Message(RpcException e) => UiRequest.Refusal(e);

    private static Html Error(string message) => Html.Of($"<p class=\"error\" role=\"alert\">{message}</p>");
}
