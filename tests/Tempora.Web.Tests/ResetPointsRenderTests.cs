using Google.Protobuf.WellKnownTypes;
using Tempora.Web.Markup;
using Tempora.Web.Pages;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Workflow.V1;

namespace Tempora.Web.Tests;

/// <summary>A run page's reset points rendered from a canned description: links to this run's events and to the
/// earlier run a point belongs to, the resettable flag, build ids kept as text, and nothing for a run without points.</summary>
public sealed class ResetPointsRenderTests
{
    private static readonly WorkflowExecution Run = new() { WorkflowId = "order-1", RunId = "run-2" };

    [Fact]
    public void ResetPoints_OfThisAndAnEarlierRun_LinkToTheirEvents()
    {
        var info = new WorkflowExecutionInfo
        {
            Execution = Run,
            AutoResetPoints = new ResetPoints
            {
                Points =
                {
                    new ResetPointInfo { BuildId = "v1", RunId = "run-1", FirstWorkflowTaskCompletedId = 4, Resettable = true, CreateTime = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero)) },
                    new ResetPointInfo { BuildId = "<b>v2</b>", RunId = "run-2", FirstWorkflowTaskCompletedId = 9, Resettable = false },
                },
            },
        };
        var w = new HtmlWriter();

        WorkflowDetailPage.WriteResetPoints(w, "default", Run, info);

        var html = w.ToString();
        foreach (var expected in new[]
        {
            "<h3>Reset points</h3>", "/namespaces/default/workflows/order-1/run-1/history#event-4\">event 4 of run run-1", "2026-03-01 08:00:00",
            "href=\"#event-9\">event 9</a>", "&lt;b&gt;v2&lt;/b&gt;", "no: work in flight to other workflows",
        })
        {
            Assert.Contains(expected, html, StringComparison.Ordinal);
        }
        Assert.DoesNotContain("<b>v2", html, StringComparison.Ordinal);
    }

    [Fact]
    public void ResetPoints_None_WritesNothing()
    {
        var w = new HtmlWriter();

        WorkflowDetailPage.WriteResetPoints(w, "default", Run, new WorkflowExecutionInfo { Execution = Run });

        Assert.Equal("", w.ToString());
    }
}
