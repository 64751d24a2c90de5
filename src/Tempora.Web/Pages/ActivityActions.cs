using Microsoft.AspNetCore.Http;
using Temporalio.Api.Common.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Web.Pages;

/// <summary>
/// POST .../{runId}/activity-pause, activity-unpause and activity-reset: PauseActivity, UnpauseActivity and
/// ResetActivity for one pending activity, by its id (the form's <c>activityId</c>). Refusals are shown on the run's
/// page by <see cref="WorkflowActions"/>, as its own actions' are.
/// </summary>
internal static class ActivityActions
{
    public static bool Handles(string? action) => action is "activity-pause" or "activity-unpause" or "activity-reset";

    public static async Task HandleAsync(UiRequest request, string ns, WorkflowExecution execution, string action, IFormCollection form)
    {
        var activityId = form["activityId"].ToString() is { Length: > 0 } id ? id : throw new ActionInputException("Choose the activity.");
        switch (action)
        {
            case "activity-pause":
                var pause = new PauseActivityRequest { Namespace = ns, Execution = execution, Id = activityId, Identity = WorkflowActions.Identity };
                if (form["reason"].ToString().Trim() is { Length: > 0 } reason)
                {
                    pause.Reason = reason;
                }
                await request.CallAsync<PauseActivityRequest, PauseActivityResponse>(pause);
                break;
            case "activity-unpause":
                await request.CallAsync<UnpauseActivityRequest, UnpauseActivityResponse>(new()
                {
                    Namespace = ns,
                    Execution = execution,
                    Id = activityId,
                    ResetAttempts = form["resetAttempts"] == "1",
                    Identity = WorkflowActions.Identity,
                });
                break;
            default:
                await request.CallAsync<ResetActivityRequest, ResetActivityResponse>(new()
                {
                    Namespace = ns,
                    Execution = execution,
                    Id = activityId,
                    KeepPaused = form["keepPaused"] == "1",
                    ResetHeartbeat = form["resetHeartbeat"] == "1",
                    Identity = WorkflowActions.Identity,
                });
                break;
        }
    }
}
