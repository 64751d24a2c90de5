using Google.Protobuf.WellKnownTypes;
using Tempora.Web.Markup;
using Tempora.Web.Pages;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Workflow.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Web.Tests;

#pragma warning disable CS0612 // BatchOperationType: deprecated in the package's newer API, what Temporal 1.28 answers

/// <summary>
/// The batch page and a pending activity's controls rendered from answers as the server gives them, without a
/// server: every field reaches the page, and the controls offered follow the state.
/// </summary>
public sealed class BatchPageRenderTests
{
    private static readonly DateTimeOffset Started = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void RunningBatch_ShowsProgressAndStopAndReloads()
    {
        var html = BatchDetailPage.Render("default", "job/1", Batch(BatchOperationState.Running, total: 200, completed: 120, failed: 3), Html.Empty, reloads: true).Value;

        foreach (var expected in new[]
        {
            "<span class=\"status batch-state-running\">Running</span>", "<progress class=\"batch-progress\" max=\"200\" value=\"123\"",
            "<dd class=\"batch-total\">200</dd>", "<dd class=\"batch-completed\">120</dd>", "<dd class=\"batch-failed\">3</dd>",
            "<dd class=\"batch-type\">Terminate</dd>", "<dd>incident 7</dd>", "<dd>tempora-web-ui</dd>", "2026-03-01 08:00:00.000",
            "action=\"/namespaces/default/batch-operations/job%2F1/stop\"", "data-live=\"2000\"",
        })
        {
            Assert.Contains(expected, html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void RunningBatch_AfterARefusedStop_DoesNotReload()
    {
        var html = BatchDetailPage.Render("default", "job-1", Batch(BatchOperationState.Running, 2, 1, 0), Html.Empty, reloads: false).Value;

        Assert.DoesNotContain("data-live", html, StringComparison.Ordinal);
        Assert.Contains("/stop\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void CompletedBatch_ShowsCloseTimeAndNoStop()
    {
        var batch = Batch(BatchOperationState.Completed, 3, 3, 0);
        batch.CloseTime = Timestamp.FromDateTimeOffset(Started.AddSeconds(4));

        var html = BatchDetailPage.Render("default", "job-1", batch, Html.Empty, reloads: true).Value;

        Assert.Contains("<span class=\"status batch-state-completed\">Completed</span>", html, StringComparison.Ordinal);
        Assert.Contains("2026-03-01 08:00:04.000", html, StringComparison.Ordinal);
        Assert.DoesNotContain("/stop\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-live", html, StringComparison.Ordinal);
    }

    [Fact]
    public void PendingActivity_NotPaused_OffersPauseAndReset()
    {
        var html = ActivityControls(paused: false);

        Assert.Contains("action=\"/namespaces/default/workflows/order%2F1/run-1/activity-pause\"", html, StringComparison.Ordinal);
        Assert.Contains("action=\"/namespaces/default/workflows/order%2F1/run-1/activity-reset\"", html, StringComparison.Ordinal);
        Assert.Contains("<input type=\"hidden\" name=\"activityId\" value=\"charge &lt;card&gt;\">", html, StringComparison.Ordinal);
        Assert.DoesNotContain("activity-unpause", html, StringComparison.Ordinal);
    }

    [Fact]
    public void PendingActivity_Paused_OffersUnpause()
    {
        var html = ActivityControls(paused: true);

        Assert.Contains("/activity-unpause\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("/activity-pause\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void PendingActivity_OfAClosedRun_HasNoControls()
    {
        Assert.Empty(ActivityControls(paused: false, WorkflowExecutionStatus.Terminated));
    }

    private static DescribeBatchOperationResponse Batch(BatchOperationState state, long total, long completed, long failed) => new()
    {
        JobId = "job-1",
        State = state,
        OperationType = BatchOperationType.Terminate,
        Reason = "incident 7",
        Identity = "tempora-web-ui",
        StartTime = Timestamp.FromDateTimeOffset(Started),
        TotalOperationCount = total,
        CompleteOperationCount = completed,
        FailureOperationCount = failed,
    };

    private static string ActivityControls(bool paused, WorkflowExecutionStatus status = WorkflowExecutionStatus.Running)
    {
        var description = new DescribeWorkflowExecutionResponse
        {
            WorkflowExecutionInfo = new WorkflowExecutionInfo { Execution = new WorkflowExecution { WorkflowId = "order/1", RunId = "run-1" }, Status = status },
        };
        var activity = new PendingActivityInfo { ActivityId = "charge <card>", Paused = paused };
        var w = new HtmlWriter();
        WorkflowDetailPage.WriteActivityActions(w, "default", new WorkflowRun(description, [], false), activity);
        return w.ToString();
    }
}
