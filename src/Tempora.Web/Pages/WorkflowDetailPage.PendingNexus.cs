using Tempora.Web.Markup;
using Tempora.Web.Rendering;
using Temporalio.Api.Workflow.V1;

namespace Tempora.Web.Pages;

/// <summary>
/// The Nexus part of what a run waits on (Describe's pending_nexus_operations), shown as pending activities are, and
/// the run's completion callbacks (Describe's callbacks): how a handler workflow started by a Nexus operation reports
/// its end to the caller.
/// </summary>
internal static partial class WorkflowDetailPage
{
    internal static void WritePendingNexusOperation(HtmlWriter w, PendingNexusOperationInfo operation)
    {
        w.Write($"""
            <div class="pending-nexus">
            <h3>Nexus operation {operation.Service}/{operation.Operation} <span class="muted">endpoint {operation.Endpoint}</span></h3>
            <dl class="summary">
            <dt>State</dt><dd class="nexus-state">{operation.State}</dd>
            <dt>Attempt</dt><dd class="nexus-attempt">{operation.Attempt}</dd>
            <dt>Scheduled</dt><dd><a href="#event-{operation.ScheduledEventId}">event {operation.ScheduledEventId}</a> at {Format.Time(operation.ScheduledTime)}</dd>
            <dt>Schedule-to-close timeout</dt><dd>{Format.Duration(operation.ScheduleToCloseTimeout)}</dd>
            """);
        if (operation.LastAttemptCompleteTime is not null)
        {
            w.Write($"<dt>Last attempt</dt><dd>{Format.Time(operation.LastAttemptCompleteTime)}</dd>");
        }
        if (operation.NextAttemptScheduleTime is not null)
        {
            w.Write($"<dt>Next attempt</dt><dd class=\"nexus-next-attempt\">{Format.Time(operation.NextAttemptScheduleTime)}</dd>");
        }
        if (operation.OperationToken.Length > 0)
        {
            w.Write($"<dt>Operation token</dt><dd class=\"mono nexus-token\">{operation.OperationToken}</dd>");
        }
        if (operation.BlockedReason.Length > 0)
        {
            w.Write($"<dt>Blocked</dt><dd>{operation.BlockedReason}</dd>");
        }
        if (operation.CancellationInfo is { } cancel)
        {
            w.Write($"<dt>Cancellation</dt><dd class=\"nexus-cancellation\">{cancel.State}, requested {Format.Time(cancel.RequestedTime)}, attempt {cancel.Attempt}");
            if (cancel.NextAttemptScheduleTime is not null)
            {
                w.Write($", next attempt {Format.Time(cancel.NextAttemptScheduleTime)}");
            }
            w.Write($"</dd>");
        }
        w.Write($"</dl>");
        if (operation.LastAttemptFailure is not null)
        {
            w.Write($"<h4>Last attempt failure</h4>{FailureView.Render(operation.LastAttemptFailure)}");
        }
        if (operation.CancellationInfo?.LastAttemptFailure is { } cancelFailure)
        {
            w.Write($"<h4>Last cancel request failure</h4>{FailureView.Render(cancelFailure)}");
        }
        w.Write($"</div>");
    }

    /// <summary>The run's completion callbacks: where its end is reported, whether that has happened, and the last failure.</summary>
    internal static void WriteCallbacks(HtmlWriter w, IReadOnlyList<CallbackInfo> callbacks)
    {
        if (callbacks.Count == 0)
        {
            return;
        }
        w.Write($"<h3>Completion callbacks</h3><div class=\"scroll\"><table class=\"callbacks\"><thead><tr><th>URL</th><th>State</th><th>Trigger</th><th>Registered</th><th>Attempt</th><th>Last failure</th></tr></thead><tbody>");
        foreach (var callback in callbacks)
        {
            var url = callback.Callback?.Nexus?.Url ?? (callback.Callback?.Internal is not null ? "(internal)" : "");
            var trigger = callback.Trigger?.WorkflowClosed is not null ? "workflow closed" : "–";
            w.Write($"""
                <tr><td class="mono callback-url">{url}</td><td class="callback-state">{callback.State}</td><td>{trigger}</td>
                <td>{Format.Time(callback.RegistrationTime)}</td><td>{callback.Attempt}</td>
                <td>{(callback.LastAttemptFailure is { } failure ? Html.Text(failure.Message) : Html.Of($"<span class=\"muted\">–</span>"))}</td></tr>
                """);
        }
        w.Write($"</tbody></table></div>");
    }
}
