using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Tempora.Web.Markup;
using Tempora.Web.Rendering;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Query.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Web.Pages;

/// <summary>
/// POST .../{runId}/{action}: signal, query, cancel, terminate, reset, and a pending activity's pause, unpause and
/// reset (<see cref="ActivityActions"/>). A change answers with a redirect to the run's
/// page (so reloading does not repeat it); a query result or an error is shown on the run's page directly.
/// </summary>
internal static class WorkflowActions
{
    /// <summary>The identity recorded in the history events the UI's actions cause.</summary>
    public const string Identity = "tempora-web-ui";

    public static async Task HandleAsync(UiRequest request)
    {
        var ns = request.RequiredNamespace;
        var execution = new WorkflowExecution { WorkflowId = request.RouteValue("workflowId")!, RunId = request.RouteValue("runId")! };
        if (await ActionForm.ReadAsync(request, "the workflow's page") is not { } form)
        {
            return;
        }
        try
        {
            var action = request.RouteValue("action");
            if (ActivityActions.Handles(action))
            {
                await ActivityActions.HandleAsync(request, ns, execution, action!, form);
                Done(request, ns, execution.WorkflowId, execution.RunId, action!);
                return;
            }
            switch (action)
            {
                case "signal":
                    await request.CallAsync<SignalWorkflowExecutionRequest, SignalWorkflowExecutionResponse>(new()
                    {
                        Namespace = ns,
                        WorkflowExecution = execution,
                        SignalName = Required(form, "name", "signal name"),
                        Input = Arguments(form),
                        Identity = Identity,
                        RequestId = Guid.NewGuid().ToString(),
                    });
                    Done(request, ns, execution.WorkflowId, execution.RunId, "signal");
                    break;
                case "cancel":
                    await request.CallAsync<RequestCancelWorkflowExecutionRequest, RequestCancelWorkflowExecutionResponse>(new()
                    {
                        Namespace = ns,
                        WorkflowExecution = execution,
                        Identity = Identity,
                        RequestId = Guid.NewGuid().ToString(),
                        Reason = "canceled from the web UI",
                    });
                    Done(request, ns, execution.WorkflowId, execution.RunId, "cancel");
                    break;
                case "terminate":
                    await request.CallAsync<TerminateWorkflowExecutionRequest, TerminateWorkflowExecutionResponse>(new()
                    {
                        Namespace = ns,
                        WorkflowExecution = execution,
                        Reason = form["reason"].ToString(),
                        Identity = Identity,
                    });
                    Done(request, ns, execution.WorkflowId, execution.RunId, "terminate");
                    break;
                case "reset":
                    if (!long.TryParse(form["eventId"].ToString(), out var eventId))
                    {
                        throw new ActionInputException("Choose the workflow task to reset to.");
                    }
                    var reset = await request.CallAsync<ResetWorkflowExecutionRequest, ResetWorkflowExecutionResponse>(new()
                    {
                        Namespace = ns,
                        WorkflowExecution = execution,
                        WorkflowTaskFinishEventId = eventId,
                        Reason = form["reason"].ToString() is { Length: > 0 } reason ? reason : "reset from the web UI",
                        RequestId = Guid.NewGuid().ToString(),
                        Identity = Identity,
                    });
                    Done(request, ns, execution.WorkflowId, reset.RunId, "reset");
                    break;
                case "query":
                    var name = Required(form, "name", "query type");
                    var query = await request.CallAsync<QueryWorkflowRequest, QueryWorkflowResponse>(new()
                    {
                        Namespace = ns,
                        Execution = execution,
                        Query = new WorkflowQuery { QueryType = name, QueryArgs = Arguments(form) },
                    });
                    var result = query.QueryRejected is { } rejected
                        ? Html.Of($"<p>Rejected: the workflow's status is {rejected.Status}.</p>")
                        : PayloadView.Render(query.QueryResult);
                    await WorkflowDetailPage.RenderAsync(request,
                        Html.Of($"<section class=\"card query-result\" role=\"status\"><h2>Query result: {name}</h2>{result}</section>"),
                        StatusCodes.Status200OK);
                    break;
                default:
                    await request.WriteErrorAsync(StatusCodes.Status404NotFound, "Not found", "There is no such action.");
                    break;
            }
        }
        catch (ActionInputException e)
        {
            await WorkflowDetailPage.RenderAsync(request, Error(e.Message), StatusCodes.Status400BadRequest);
        }
        catch (RpcException e) when (UiRequest.ShownOnPage(e))
        {
            var (status, _) = UiRequest.Describe(e.StatusCode);
            await WorkflowDetailPage.RenderAsync(request, Error(UiRequest.Refusal(e)), status);
        }
    }

    private static Html Error(string message) => Html.Of($"<p class=\"error\" role=\"alert\">{message}</p>");

    private static void Done(UiRequest request, string ns, string workflowId, string runId, string what) =>
        request.Http.Response.Redirect(Format.RunUrl(ns, workflowId, runId) + "?done=" + what, permanent: false, preserveMethod: false);

    private static string Required(IFormCollection form, string field, string what) =>
        form[field].ToString().Trim() is { Length: > 0 } value ? value : throw new ActionInputException($"Give a {what}.");

    /// <summary>
    /// The JSON the user typed as json/plain payloads, as the SDKs' default converter writes them: one payload, or
    /// one per element when "several arguments" is ticked and the JSON is an array.
    /// </summary>
    internal static Payloads? Arguments(IFormCollection form)
    {
        var text = form["input"].ToString().Trim();
        if (text.Length == 0)
        {
            return null;
        }
        JsonElement json;
        try
        {
            using var doc = JsonDocument.Parse(text);
            json = doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new ActionInputException($"The input is not valid JSON: {e.Message}");
        }
        var payloads = new Payloads();
        if (form["spread"] == "1" && json.ValueKind == JsonValueKind.Array)
        {
            payloads.Payloads_.Add(json.EnumerateArray().Select(JsonPayload));
        }
        else
        {
            payloads.Payloads_.Add(JsonPayload(json));
        }
        return payloads;
    }

    private static Payload JsonPayload(JsonElement value) => new()
    {
        Metadata = { ["encoding"] = ByteString.CopyFromUtf8("json/plain") },
        Data = ByteString.CopyFrom(Encoding.UTF8.GetBytes(value.GetRawText())),
    };
}
