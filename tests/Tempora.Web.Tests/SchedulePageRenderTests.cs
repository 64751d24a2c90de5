using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Tempora.Web.Markup;
using Tempora.Web.Pages;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Schedule.V1;
using Temporalio.Api.TaskQueue.V1;
using Temporalio.Api.Workflow.V1;
using Temporalio.Api.WorkflowService.V1;
using ApiRange = Temporalio.Api.Schedule.V1.Range;

namespace Tempora.Web.Tests;

/// <summary>
/// The schedule pages rendered from descriptions as the server gives them (a calendar in its structured form),
/// without a server: every part of DescribeSchedule and ListSchedules reaches the page.
/// </summary>
public sealed class SchedulePageRenderTests
{
    private static readonly DateTimeOffset Created = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Detail_ShowsSpecActionPoliciesStateAndInfo()
    {
        var html = ScheduleDetailPage.Render("default", "daily-report", Description(paused: false), Html.Empty).Value;

        foreach (var expected in new[]
        {
            "every day at 09:30 (Europe/Berlin)", "every 5 minutes", "every Saturday and Sunday (Europe/Berlin)",
            "each run up to 30 seconds later", "2026-12-31 00:00:00.000", "ReportWorkflow", "reports", "daily-report-wf",
            "Buffer all", "10 minutes", "<dd>no</dd>", "<dt>Remaining actions</dt><dd>4</dd>",
            "<dd class=\"action-count\">7</dd>", "<dt>Missed (catch-up window)</dt><dd>1</dd>", "<dt>Skipped (overlap)</dt><dd>2</dd>",
            "<dt>Dropped (buffer full)</dt><dd>3</dd>", "2026-03-01 08:00:00.000", "2026-03-02 08:00:00.000",
            "us-east",
        })
        {
            Assert.Contains(expected, html, StringComparison.Ordinal);
        }
        Assert.Contains("<a href=\"/namespaces/default/workflows/daily-report-wf-2026-03-05T08%3A30%3A00Z/run-running/history\">", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/namespaces/default/workflows/daily-report-wf-2026-03-04T08%3A30%3A00Z/run-done/history\">", html, StringComparison.Ordinal);
        Assert.Contains("status-completed", html, StringComparison.Ordinal);
        Assert.Contains("<li><time datetime=\"2026-03-06T08:30:00.0000000Z\">", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Detail_Running_OffersPauseTriggerBackfillAndDelete()
    {
        var html = ScheduleDetailPage.Render("default", "daily-report", Description(paused: false), Html.Empty).Value;

        Assert.Contains("action=\"/namespaces/default/schedules/daily-report/pause\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("/unpause\"", html, StringComparison.Ordinal);
        Assert.Contains("action=\"/namespaces/default/schedules/daily-report/trigger\"", html, StringComparison.Ordinal);
        Assert.Contains("action=\"/namespaces/default/schedules/daily-report/backfill\"", html, StringComparison.Ordinal);
        Assert.Contains("action=\"/namespaces/default/schedules/daily-report/delete\" data-confirm=", html, StringComparison.Ordinal);
        Assert.Contains("The schedule's policy (BufferAll)", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Detail_Paused_ShowsNotesAndOffersUnpause()
    {
        var html = ScheduleDetailPage.Render("default", "daily-report", Description(paused: true), Html.Empty).Value;

        Assert.Contains("<span class=\"status status-paused\">Paused</span>", html, StringComparison.Ordinal);
        Assert.Contains("<dd class=\"notes\">release freeze</dd>", html, StringComparison.Ordinal);
        Assert.Contains("action=\"/namespaces/default/schedules/daily-report/unpause\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("/pause\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void List_Row_ShowsIdStateTypeSpecNextRunAndLastAction()
    {
        var description = Description(paused: true);
        var page = new ListSchedulesResponse
        {
            Schedules =
            {
                new ScheduleListEntry
                {
                    ScheduleId = "daily-report",
                    Info = new ScheduleListInfo
                    {
                        Spec = description.Schedule.Spec,
                        WorkflowType = new WorkflowType { Name = "ReportWorkflow" },
                        Paused = true,
                        Notes = "release freeze",
                        RecentActions = { description.Info.RecentActions },
                        FutureActionTimes = { description.Info.FutureActionTimes },
                    },
                },
            },
        };
        var w = new HtmlWriter();

        ScheduleListPage.WriteTable(w, "default", page, "");

        var html = w.ToString();
        Assert.Contains("<a href=\"/namespaces/default/schedules/daily-report\">daily-report</a>", html, StringComparison.Ordinal);
        Assert.Contains("Paused", html, StringComparison.Ordinal);
        Assert.Contains("<td>ReportWorkflow</td>", html, StringComparison.Ordinal);
        Assert.Contains("<td class=\"spec\">every day at 09:30 (Europe/Berlin); every 5 minutes</td>", html, StringComparison.Ordinal);
        Assert.Contains("<td><time datetime=\"2026-03-06T08:30:00.0000000Z\">", html, StringComparison.Ordinal);
        // The last action is the latest one taken, linked to its run.
        Assert.Contains("/run-running/history\"><time datetime=\"2026-03-05T08:30:01.0000000Z\">", html, StringComparison.Ordinal);
    }

    [Fact]
    public void List_Empty_SaysHowToCreateOne()
    {
        var w = new HtmlWriter();

        ScheduleListPage.WriteTable(w, "default", new ListSchedulesResponse(), "");

        Assert.Contains("No schedules in namespace <b>default</b> yet", w.ToString(), StringComparison.Ordinal);
    }

    /// <summary>A description shaped as the server returns one: calendars in structured form, info filled in.</summary>
    private static DescribeScheduleResponse Description(bool paused)
    {
        static ApiRange At(int value) => new() { Start = value };
        var everyDay = new StructuredCalendarSpec
        {
            Second = { At(0) },
            Minute = { At(30) },
            Hour = { At(9) },
            DayOfMonth = { new ApiRange { Start = 1, End = 31 } },
            Month = { new ApiRange { Start = 1, End = 12 } },
            DayOfWeek = { new ApiRange { Start = 0, End = 6 } },
        };
        var weekend = new StructuredCalendarSpec
        {
            Second = { new ApiRange { Start = 0, End = 59 } },
            Minute = { new ApiRange { Start = 0, End = 59 } },
            Hour = { new ApiRange { Start = 0, End = 23 } },
            DayOfMonth = { new ApiRange { Start = 1, End = 31 } },
            Month = { new ApiRange { Start = 1, End = 12 } },
            DayOfWeek = { At(0), At(6) },
        };
        WorkflowExecution Run(string day, string runId) => new() { WorkflowId = $"daily-report-wf-2026-03-{day}T08:30:00Z", RunId = runId };
        return new DescribeScheduleResponse
        {
            Schedule = new Schedule
            {
                Spec = new ScheduleSpec
                {
                    StructuredCalendar = { everyDay },
                    Interval = { new IntervalSpec { Interval = Duration.FromTimeSpan(TimeSpan.FromMinutes(5)) } },
                    ExcludeStructuredCalendar = { weekend },
                    Jitter = Duration.FromTimeSpan(TimeSpan.FromSeconds(30)),
                    EndTime = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 12, 31, 0, 0, 0, TimeSpan.Zero)),
                    TimezoneName = "Europe/Berlin",
                },
                Action = new ScheduleAction
                {
                    StartWorkflow = new NewWorkflowExecutionInfo
                    {
                        WorkflowId = "daily-report-wf",
                        WorkflowType = new WorkflowType { Name = "ReportWorkflow" },
                        TaskQueue = new TaskQueue { Name = "reports" },
                        Input = new Payloads { Payloads_ = { Json("\"us-east\"") } },
                    },
                },
                Policies = new SchedulePolicies
                {
                    OverlapPolicy = ScheduleOverlapPolicy.BufferAll,
                    CatchupWindow = Duration.FromTimeSpan(TimeSpan.FromMinutes(10)),
                },
                State = new ScheduleState { Paused = paused, Notes = paused ? "release freeze" : "", LimitedActions = true, RemainingActions = 4 },
            },
            Info = new ScheduleInfo
            {
                ActionCount = 7,
                MissedCatchupWindow = 1,
                OverlapSkipped = 2,
                BufferDropped = 3,
                RunningWorkflows = { Run("05", "run-running") },
                RecentActions =
                {
                    new ScheduleActionResult
                    {
                        ScheduleTime = Timestamp.FromDateTimeOffset(Created.AddDays(3).AddMinutes(30)),
                        ActualTime = Timestamp.FromDateTimeOffset(Created.AddDays(3).AddMinutes(30).AddSeconds(1)),
                        StartWorkflowResult = Run("04", "run-done"),
                        StartWorkflowStatus = WorkflowExecutionStatus.Completed,
                    },
                    new ScheduleActionResult
                    {
                        ScheduleTime = Timestamp.FromDateTimeOffset(Created.AddDays(4).AddMinutes(30)),
                        ActualTime = Timestamp.FromDateTimeOffset(Created.AddDays(4).AddMinutes(30).AddSeconds(1)),
                        StartWorkflowResult = Run("05", "run-running"),
                        StartWorkflowStatus = WorkflowExecutionStatus.Running,
                    },
                },
                FutureActionTimes = { Timestamp.FromDateTimeOffset(Created.AddDays(5).AddMinutes(30)) },
                CreateTime = Timestamp.FromDateTimeOffset(Created),
                UpdateTime = Timestamp.FromDateTimeOffset(Created.AddDays(1)),
            },
        };
    }

    private static Payload Json(string json) => new()
    {
        Metadata = { ["encoding"] = ByteString.CopyFromUtf8("json/plain") },
        Data = ByteString.CopyFromUtf8(json),
    };
}
