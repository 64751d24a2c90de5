using Tempora.Web.Markup;
using Tempora.Web.Rendering;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Workflow.V1;

namespace Tempora.Web.Pages;

/// <summary>A run's auto-reset points: the first workflow task each build completed, where a reset by build id goes.</summary>
internal static partial class WorkflowDetailPage
{
    /// <summary>
    /// The table of DescribeWorkflowExecution's <c>auto_reset_points</c>, newest last; nothing for a run without any.
    /// A point of this run links to its event below; one of an earlier run of the chain, to that run.
    /// </summary>
    internal static void WriteResetPoints(HtmlWriter w, string ns, WorkflowExecution execution, WorkflowExecutionInfo info)
    {
        if (info.AutoResetPoints is not { Points.Count: > 0 } points)
        {
            return;
        }
        w.Write($"""
            <h3>Reset points</h3>
            <p class="small">The first workflow task each build completed. A batch reset by build id (the list's <em>Reset…</em>) takes a run back to just before it.</p>
            <table class="reset-points"><thead><tr><th>Build id</th><th>First task completed</th><th>Created</th><th>Resettable</th></tr></thead><tbody>
            """);
        foreach (var point in points.Points)
        {
#pragma warning disable CS0612 // the binary checksum is deprecated in the API; older SDKs still send it
            var build = point.BuildId.Length > 0 ? point.BuildId : point.BinaryChecksum.Length > 0 ? $"checksum {point.BinaryChecksum}" : "(none)";
#pragma warning restore CS0612
            var at = point.RunId == execution.RunId
                ? Html.Of($"<a href=\"#event-{point.FirstWorkflowTaskCompletedId}\">event {point.FirstWorkflowTaskCompletedId}</a>")
                : Html.Of($"<a href=\"{Format.RunUrl(ns, execution.WorkflowId, point.RunId)}#event-{point.FirstWorkflowTaskCompletedId}\">event {point.FirstWorkflowTaskCompletedId} of run {point.RunId}</a>");
            w.Write($"<tr><td class=\"mono\">{build}</td><td>{at}</td><td>{Format.Time(point.CreateTime)}</td><td>{(point.Resettable ? "yes" : "no: work in flight to other workflows")}</td></tr>");
        }
        w.Write($"</tbody></table>");
    }
}
