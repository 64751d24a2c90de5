using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Tempora.Web.Markup;
using Tempora.Web.Rendering;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Schedule.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Web.Pages;

/// <summary>
/// POST .../schedules/{scheduleId}/{action}: pause, unpause, trigger, backfill (PatchSchedule) and delete. A change
/// answers with a redirect (so reloading does not repeat it); a refusal is shown on the schedule's page.
/// </summary>
internal static class ScheduleActions
{
    public static async Task HandleAsync(UiRequest request)
    {
        var ns = request.RequiredNamespace;
        var scheduleId = request.RouteValue("scheduleId")!;
        if (await ActionForm.ReadAsync(request, "the schedule's page") is not { } form)
        {
            return;
        }
        try
        {
            var what = request.RouteValue("action");
            switch (what)
            {
                case "pause":
                    // An empty note would leave the schedule as it is: the patch's pause field is its note.
                    await PatchAsync(request, ns, scheduleId, new() { Pause = Note(form, "paused from the web UI") });
                    break;
                case "unpause":
                    await PatchAsync(request, ns, scheduleId, new() { Unpause = Note(form, "unpaused from the web UI") });
                    break;
                case "trigger":
                    await PatchAsync(request, ns, scheduleId, new()
                    {
                        TriggerImmediately = new TriggerImmediatelyRequest { OverlapPolicy = Overlap(form) },
                    });
                    break;
                case "backfill":
                    var start = Time(form, "start", "start");
                    var end = Time(form, "end", "end");
                    if (end < start)
                    {
                        throw new ActionInputException("The backfill's end is before its start.");
                    }
                    await PatchAsync(request, ns, scheduleId, new()
                    {
                        BackfillRequest =
                        {
                            new BackfillRequest
                            {
                                StartTime = Timestamp.FromDateTimeOffset(start),
                                EndTime = Timestamp.FromDateTimeOffset(end),
                                OverlapPolicy = Overlap(form),
                            },
                        },
                    });
                    break;
                case "delete":
                    await request.CallAsync<DeleteScheduleRequest, DeleteScheduleResponse>(new()
                    {
                        Namespace = ns,
                        ScheduleId = scheduleId,
                        Identity = WorkflowActions.Identity,
                    });
                    request.Http.Response.Redirect(
                        $"{Format.SchedulesUrl(ns)}?done=delete&id={Uri.EscapeDataString(scheduleId)}", permanent: false, preserveMethod: false);
                    return;
                default:
                    await request.WriteErrorAsync(StatusCodes.Status404NotFound, "Not found", "There is no such action.");
                    return;
            }
            request.Http.Response.Redirect(Format.ScheduleUrl(ns, scheduleId) + "?done=" + what, permanent: false, preserveMethod: false);
        }
        catch (ActionInputException e)
        {
            await ScheduleDetailPage.RenderAsync(request, Error(e.Message), StatusCodes.Status400BadRequest);
        }
        catch (RpcException e) when (UiRequest.ShownOnPage(e) && e.StatusCode != StatusCode.NotFound)
        {
            var (status, _) = UiRequest.Describe(e.StatusCode);
            await ScheduleDetailPage.RenderAsync(request, Error(UiRequest.Refusal(e)), status);
        }
    }

    private static Task PatchAsync(UiRequest request, string ns, string scheduleId, SchedulePatch patch) =>
        request.CallAsync<PatchScheduleRequest, PatchScheduleResponse>(new()
        {
            Namespace = ns,
            ScheduleId = scheduleId,
            Patch = patch,
            Identity = WorkflowActions.Identity,
            RequestId = Guid.NewGuid().ToString(),
        });

    private static Html Error(string message) => Html.Of($"<p class=\"error\" role=\"alert\">{message}</p>");

    private static string Note(IFormCollection form, string fallback) =>
        form["note"].ToString().Trim() is { Length: > 0 } note ? note : fallback;

    /// <summary>The chosen overlap policy; none chosen leaves the schedule's own (unspecified in the request).</summary>
    private static ScheduleOverlapPolicy Overlap(IFormCollection form)
    {
        var value = form["overlap"].ToString();
        if (value.Length == 0)
        {
            return ScheduleOverlapPolicy.Unspecified;
        }
        return System.Enum.TryParse<ScheduleOverlapPolicy>(value, ignoreCase: false, out var policy) && ScheduleView.OverlapPolicies.Contains(policy)
            ? policy
            : throw new ActionInputException($"There is no overlap policy {value}.");
    }

    /// <summary>
    /// A time of the backfill form: what a datetime-local input sends (2025-01-31T09:30 or with seconds), read as
    /// UTC, or a full ISO 8601 time with its offset.
    /// </summary>
    private static DateTimeOffset Time(IFormCollection form, string field, string what)
    {
        var text = form[field].ToString().Trim();
        if (text.Length == 0)
        {
            throw new ActionInputException($"Give the backfill's {what} time.");
        }
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : throw new ActionInputException($"The backfill's {what} time '{text}' is not a date and time (2025-01-31T09:30).");
    }
}
