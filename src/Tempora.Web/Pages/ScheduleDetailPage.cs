using Microsoft.AspNetCore.Http;
using Tempora.Web.Markup;
using Tempora.Web.Rendering;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Schedule.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Web.Pages;

/// <summary>
/// /namespaces/{ns}/schedules/{scheduleId}: DescribeSchedule in full (spec in words, the workflow it starts, its
/// policies, state and what it has done and will do) and the actions (pause, unpause, trigger, backfill, delete).
/// </summary>
internal static partial class ScheduleDetailPage
{
    /// <summary>How many of the upcoming times the server computed are shown.</summary>
    private const int UpcomingShown = 10;

    public static Task RenderAsync(UiRequest request) => RenderAsync(request, Notice(request.Query("done")), StatusCodes.Status200OK);

    /// <summary>The page with a banner on top (an action's outcome or why it was refused).</summary>
    public static async Task RenderAsync(UiRequest request, Html banner, int statusCode)
    {
        var ns = request.RequiredNamespace;
        var scheduleId = request.RouteValue("scheduleId")!;
        var description = await request.CallAsync<DescribeScheduleRequest, DescribeScheduleResponse>(
            new() { Namespace = ns, ScheduleId = scheduleId });
        await request.WritePageAsync($"Schedule {scheduleId}", Render(ns, scheduleId, description, banner), statusCode);
    }

    /// <summary>The page's content for a description (apart from the call, so that it can be checked on its own).</summary>
    public static Html Render(string ns, string scheduleId, DescribeScheduleResponse description, Html banner)
    {
        var schedule = description.Schedule ?? new Schedule();
        var state = schedule.State ?? new ScheduleState();

        var w = new HtmlWriter();
        w.Write($"""
            <p class="crumbs"><a href="{Format.SchedulesUrl(ns)}">Schedules</a> / {scheduleId}</p>
            <h1 class="wf-title">{ScheduleView.State(state.Paused)} <span>{scheduleId}</span></h1>
            """);
        w.Write(banner);
        WriteSpec(w, schedule.Spec ?? new ScheduleSpec(), description.Info);
        WriteAction(w, ns, schedule);
        WriteState(w, schedule);
        WriteInfo(w, ns, description.Info ?? new ScheduleInfo());
        WriteActions(w, ns, scheduleId, schedule);
        if (description.Memo is { Fields.Count: > 0 } || description.SearchAttributes is { IndexedFields.Count: > 0 })
        {
            w.Write($"<section class=\"card\"><h2>Memo and search attributes</h2>");
            if (description.Memo is { Fields.Count: > 0 } memo)
            {
                w.Write($"<h3>Memo</h3>{ProtoView.PayloadMap(memo.Fields)}");
            }
            if (description.SearchAttributes is { IndexedFields.Count: > 0 } attributes)
            {
                w.Write($"<h3>Search attributes</h3>{ProtoView.PayloadMap(attributes.IndexedFields)}");
            }
            w.Write($"</section>");
        }
        return w.ToHtml();
    }

    private static Html Notice(string done) => done switch
    {
        "pause" => Html.Of($"<p class=\"notice\" role=\"status\">Schedule paused: it takes no scheduled actions until unpaused.</p>"),
        "unpause" => Html.Of($"<p class=\"notice\" role=\"status\">Schedule unpaused.</p>"),
        "trigger" => Html.Of($"<p class=\"notice\" role=\"status\">Triggered: the schedule takes its action now, as the overlap policy allows.</p>"),
        "backfill" => Html.Of($"<p class=\"notice\" role=\"status\">Backfill requested: the schedule takes the actions it would have taken in that time range.</p>"),
        _ => Html.Empty,
    };

    private static void WriteSpec(HtmlWriter w, ScheduleSpec spec, ScheduleInfo? info)
    {
        w.Write($"<section class=\"card spec\"><h2>Spec</h2><dl class=\"summary\">");
        var times = ScheduleSpecText.Times(spec);
        w.Write($"<dt>Runs</dt><dd>");
        if (times.Count == 0)
        {
            w.Write($"<span class=\"muted\">no scheduled times (triggered and backfilled actions only)</span>");
        }
        foreach (var time in times)
        {
            w.Write($"<div class=\"spec-time\">{time}</div>");
        }
        w.Write($"</dd>");
        foreach (var exclusion in ScheduleSpecText.Exclusions(spec))
        {
            w.Write($"<dt>Except</dt><dd class=\"spec-exclusion\">{exclusion}</dd>");
        }
        if (spec.StartTime is not null)
        {
            w.Write($"<dt>Not before</dt><dd>{Format.Time(spec.StartTime)}</dd>");
        }
        if (spec.EndTime is not null)
        {
            w.Write($"<dt>Not after</dt><dd>{Format.Time(spec.EndTime)}</dd>");
        }
        if (spec.Jitter?.ToTimeSpan() is { } jitter && jitter > TimeSpan.Zero)
        {
            w.Write($"<dt>Jitter</dt><dd>each run up to {ScheduleSpecText.Amount(jitter)} later, at random</dd>");
        }
        w.Write($"<dt>Time zone</dt><dd>{ScheduleSpecText.ZoneName(spec)}</dd>");
        w.Write($"</dl>");

        var upcoming = info?.FutureActionTimes.Take(UpcomingShown).ToList() ?? [];
        w.Write($"<h3>Upcoming runs (UTC)</h3>");
        if (upcoming.Count == 0)
        {
            w.Write($"<p class=\"empty\">None: the spec has no more times, or the schedule is out of actions.</p>");
        }
        else
        {
            w.Write($"<ol class=\"upcoming\">");
            foreach (var time in upcoming)
            {
                w.Write($"<li>{Format.Time(time)}</li>");
            }
            w.Write($"</ol>");
        }
        w.Write($"</section>");
    }

    private static void WriteAction(HtmlWriter w, string ns, Schedule schedule)
    {
        w.Write($"<section class=\"card\"><h2>Action</h2>");
        if (schedule.Action?.StartWorkflow is not { } start)
        {
            w.Write($"<p class=\"empty\">The schedule has no action this UI knows.</p></section>");
            return;
        }
        var policies = schedule.Policies ?? new SchedulePolicies();
        var idNote = policies.KeepOriginalWorkflowId ? "used as it is" : "each run's id is this followed by the scheduled time";
        w.Write($"""
            <dl class="summary">
            <dt>Starts workflow</dt><dd><a href="{Format.ListUrl(ns, $"WorkflowType = {Format.Quote(start.WorkflowType?.Name ?? "")}")}">{start.WorkflowType?.Name}</a></dd>
            <dt>Task queue</dt><dd><a href="{Format.TaskQueueUrl(ns, start.TaskQueue?.Name ?? "")}">{start.TaskQueue?.Name}</a></dd>
            <dt>Workflow ID</dt><dd><span class="mono">{start.WorkflowId}</span> <span class="muted small">({idNote})</span></dd>
            """);
        if (start.WorkflowExecutionTimeout is not null)
        {
            w.Write($"<dt>Execution timeout</dt><dd>{Format.Duration(start.WorkflowExecutionTimeout)}</dd>");
        }
        if (start.WorkflowRunTimeout is not null)
        {
            w.Write($"<dt>Run timeout</dt><dd>{Format.Duration(start.WorkflowRunTimeout)}</dd>");
        }
        w.Write($"</dl><h3>Input</h3>{PayloadView.Render(start.Input)}");

        w.Write($"""
            <h3>Policies</h3>
            <dl class="summary">
            <dt>Overlap</dt><dd>{ScheduleView.Overlap(policies.OverlapPolicy)}</dd>
            <dt>Catch-up window</dt><dd>{(policies.CatchupWindow is null ? "1 year (the default)" : ScheduleSpecText.Amount(policies.CatchupWindow.ToTimeSpan()))}</dd>
            <dt>Pause on failure</dt><dd>{(policies.PauseOnFailure ? "yes: a failed or timed-out run pauses the schedule" : "no")}</dd>
            </dl>
            </section>
            """);
    }

    private static void WriteState(HtmlWriter w, Schedule schedule)
    {
        var state = schedule.State ?? new ScheduleState();
        w.Write($"""
            <section class="card"><h2>State</h2>
            <dl class="summary">
            <dt>Paused</dt><dd class="paused">{(state.Paused ? "yes" : "no")}</dd>
            <dt>Notes</dt><dd class="notes">{(state.Notes.Length > 0 ? state.Notes : "–")}</dd>
            <dt>Remaining actions</dt><dd>{(state.LimitedActions ? state.RemainingActions.ToString(System.Globalization.CultureInfo.InvariantCulture) : "unlimited")}</dd>
            </dl>
            </section>
            """);
    }

    private static void WriteInfo(HtmlWriter w, string ns, ScheduleInfo info)
    {
        w.Write($"""
            <section class="card info"><h2>Info</h2>
            <dl class="summary">
            <dt>Actions taken</dt><dd class="action-count">{info.ActionCount}</dd>
            <dt>Missed (catch-up window)</dt><dd>{info.MissedCatchupWindow}</dd>
            <dt>Skipped (overlap)</dt><dd>{info.OverlapSkipped}</dd>
            <dt>Dropped (buffer full)</dt><dd>{info.BufferDropped}</dd>
            <dt>Buffered</dt><dd>{info.BufferSize}</dd>
            <dt>Created</dt><dd>{Format.Time(info.CreateTime)}</dd>
            <dt>Updated</dt><dd>{Format.Time(info.UpdateTime)}</dd>
            </dl>
            <h3>Running workflows</h3>
            """);
        if (info.RunningWorkflows.Count == 0)
        {
            w.Write($"<p class=\"empty\">None.</p>");
        }
        else
        {
            w.Write($"<ul class=\"running\">");
            foreach (var run in info.RunningWorkflows)
            {
                w.Write($"<li><a href=\"{Format.RunUrl(ns, run.WorkflowId, run.RunId)}\">{run.WorkflowId}</a></li>");
            }
            w.Write($"</ul>");
        }
        w.Write($"<h3>Recent actions</h3>");
        if (info.RecentActions.Count == 0)
        {
            w.Write($"<p class=\"empty\">None yet.</p>");
        }
        else
        {
            w.Write($"""
                <div class="scroll"><table class="recent-actions">
                <thead><tr><th>Scheduled for</th><th>Taken at</th><th>Workflow</th><th>Status</th></tr></thead>
                <tbody>
                """);
            foreach (var action in info.RecentActions.OrderByDescending(a => a.ActualTime?.ToDateTimeOffset()))
            {
                var run = action.StartWorkflowResult;
                var link = run is null
                    ? Html.Of($"<span class=\"muted\">–</span>")
                    : Html.Of($"<a href=\"{Format.RunUrl(ns, run.WorkflowId, run.RunId)}\">{run.WorkflowId}</a>");
                var status = action.StartWorkflowStatus == WorkflowExecutionStatus.Unspecified
                    ? Html.Of($"<span class=\"muted\">–</span>")
                    : Format.Status(action.StartWorkflowStatus);
                w.Write($"<tr><td>{Format.Time(action.ScheduleTime)}</td><td>{Format.Time(action.ActualTime)}</td><td>{link}</td><td>{status}</td></tr>");
            }
            w.Write($"</tbody></table></div>");
        }
        w.Write($"</section>");
    }
}
