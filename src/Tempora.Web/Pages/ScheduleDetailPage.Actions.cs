using Tempora.Web.Markup;
using Tempora.Web.Rendering;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Schedule.V1;

namespace Tempora.Web.Pages;

/// <summary>
/// The schedule's action forms, each posted to .../schedules/{scheduleId}/{action} (<see cref="ScheduleActions"/>);
/// the ones that start or remove something ask for confirmation first (site.js reads data-confirm).
/// </summary>
internal static partial class ScheduleDetailPage
{
    private static void WriteActions(HtmlWriter w, string ns, string scheduleId, Schedule schedule)
    {
        var action = Format.ScheduleUrl(ns, scheduleId) + "/";
        var paused = schedule.State?.Paused ?? false;
        var overlap = schedule.Policies?.OverlapPolicy ?? ScheduleOverlapPolicy.Unspecified;
        w.Write($"<section class=\"card actions\"><h2>Actions</h2>");
        if (paused)
        {
            w.Write($"""
                <details open><summary>Unpause</summary>
                <form method="post" action="{action}unpause">
                <label>Note <input type="text" name="note" autocomplete="off" placeholder="why it runs again"></label>
                <button type="submit">Unpause</button>
                </form></details>
                """);
        }
        else
        {
            w.Write($"""
                <details open><summary>Pause</summary>
                <form method="post" action="{action}pause">
                <label>Note <input type="text" name="note" autocomplete="off" placeholder="why it is paused"></label>
                <button type="submit" class="warn">Pause</button>
                </form></details>
                """);
        }
        w.Write($"""
            <details><summary>Trigger now</summary>
            <form method="post" action="{action}trigger" data-confirm="Take the action of {scheduleId} now?">
            <p class="small">Starts the workflow now, once, whether or not the schedule is paused.</p>
            <label>Overlap policy <select name="overlap">{ScheduleView.OverlapOptions(overlap)}</select></label>
            <button type="submit">Trigger</button>
            </form></details>
            <details><summary>Backfill</summary>
            <form method="post" action="{action}backfill" data-confirm="Take the actions {scheduleId} would have taken in this range?">
            <p class="small">Takes the actions the spec would have taken between the two times (UTC), whatever the catch-up window.</p>
            <label>From (UTC) <input type="datetime-local" name="start" step="1" required></label>
            <label>To (UTC) <input type="datetime-local" name="end" step="1" required></label>
            <label>Overlap policy <select name="overlap">{ScheduleView.OverlapOptions(overlap)}</select></label>
            <button type="submit">Backfill</button>
            </form></details>
            <details><summary>Delete</summary>
            <form method="post" action="{action}delete" data-confirm="Delete the schedule {scheduleId}? Workflows it started keep running.">
            <p class="small">The schedule takes no more actions; workflows it started keep running.</p>
            <button type="submit" class="danger">Delete schedule</button>
            </form></details>
            </section>
            """);
    }
}
