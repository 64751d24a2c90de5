using Google.Protobuf.WellKnownTypes;
using Tempora.Web.Markup;
using Tempora.Web.Pages;
using Temporalio.Api.Activity.V1;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Workflow.V1;

namespace Tempora.Web.Tests;

/// <summary>A run page's pending activity as Describe gives it: a pause (who, when, why) and the current options show.</summary>
public sealed class PendingActivityRenderTests
{
    [Fact]
    public void PausedActivity_ShowsStatePauseAndOptions()
    {
        var activity = new PendingActivityInfo
        {
            ActivityId = "charge",
            ActivityType = new ActivityType { Name = "ChargeCard" },
            State = PendingActivityState.Paused,
            Paused = true,
            Attempt = 3,
            PauseInfo = new PendingActivityInfo.Types.PauseInfo
            {
                PauseTime = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero)),
                Manual = new() { Identity = "ops@example", Reason = "card processor down" },
            },
            ActivityOptions = new ActivityOptions
            {
                TaskQueue = new() { Name = "payments" },
                StartToCloseTimeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(30)),
                RetryPolicy = new RetryPolicy { InitialInterval = Duration.FromTimeSpan(TimeSpan.FromSeconds(1)), BackoffCoefficient = 2, MaximumAttempts = 5 },
            },
        };
        var w = new HtmlWriter();
        WorkflowDetailPage.WritePendingActivity(w, activity);
        var html = w.ToString();

        foreach (var expected in new[] { "<dd>Paused</dd>", "class=\"activity-paused\"", "ops@example", "card processor down", "2026-03-01 08:00:00", "payments", "max attempts 5" })
        {
            Assert.Contains(expected, html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void RunningActivity_ShowsNoPause()
    {
        var w = new HtmlWriter();
        WorkflowDetailPage.WritePendingActivity(w, new PendingActivityInfo { ActivityId = "a", State = PendingActivityState.Started, Attempt = 1 });
        Assert.DoesNotContain("activity-paused", w.ToString(), StringComparison.Ordinal);
    }
}
