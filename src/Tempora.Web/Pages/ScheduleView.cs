using Tempora.Web.Markup;
using Temporalio.Api.Enums.V1;

namespace Tempora.Web.Pages;

/// <summary>How a schedule's state and policies read on the list and the schedule's page.</summary>
internal static class ScheduleView
{
    /// <summary>The overlap policies a trigger or backfill may choose, in the order the forms offer them.</summary>
    public static readonly ScheduleOverlapPolicy[] OverlapPolicies =
    [
        ScheduleOverlapPolicy.Skip, ScheduleOverlapPolicy.BufferOne, ScheduleOverlapPolicy.BufferAll,
        ScheduleOverlapPolicy.CancelOther, ScheduleOverlapPolicy.TerminateOther, ScheduleOverlapPolicy.AllowAll,
    ];

    public static Html State(bool paused) => paused
        ? Html.Of($"<span class=\"status status-paused\">Paused</span>")
        : Html.Of($"<span class=\"status status-running\">Running</span>");

    /// <summary>The policy in words; unspecified is the server's default, skip.</summary>
    public static string Overlap(ScheduleOverlapPolicy policy) => policy switch
    {
        ScheduleOverlapPolicy.Unspecified or ScheduleOverlapPolicy.Skip => "Skip: no new run while one is running",
        ScheduleOverlapPolicy.BufferOne => "Buffer one: start one more run after the running one",
        ScheduleOverlapPolicy.BufferAll => "Buffer all: start every missed run, one after another",
        ScheduleOverlapPolicy.CancelOther => "Cancel other: cancel the running run, then start",
        ScheduleOverlapPolicy.TerminateOther => "Terminate other: terminate the running run, then start",
        ScheduleOverlapPolicy.AllowAll => "Allow all: start regardless of running runs",
        _ => policy.ToString(),
    };

    /// <summary>The options of an overlap-policy select; the empty value keeps the schedule's own policy.</summary>
    public static Html OverlapOptions(ScheduleOverlapPolicy schedulePolicy)
    {
        var w = new HtmlWriter();
        var own = schedulePolicy == ScheduleOverlapPolicy.Unspecified ? ScheduleOverlapPolicy.Skip : schedulePolicy;
        w.Write($"<option value=\"\" selected>The schedule's policy ({own})</option>");
        foreach (var policy in OverlapPolicies)
        {
            w.Write($"<option value=\"{policy}\">{Overlap(policy)}</option>");
        }
        return w.ToHtml();
    }
}
