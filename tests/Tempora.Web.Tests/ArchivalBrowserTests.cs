using System.Text.RegularExpressions;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Common;
using Temporalio.Exceptions;
using static Microsoft.Playwright.Assertions;

namespace Tempora.Web.Tests;

/// <summary>
/// The Archive pages in headless Chromium against a real server archiving to file://: a run whose retention passed is
/// listed by ListArchivedWorkflowExecutions and read from the archive; a namespace without archival says how to turn
/// it on; bad queries and half-given ids are refused with the reason.
/// </summary>
[Collection(UiArchivalCollection.Name)]
public sealed class ArchivalBrowserTests(UiArchivalFixture fixture)
{
    /// <summary>Retention is a second and scanned every second; archiving and deleting take a few more.</summary>
    private static readonly TimeSpan DeletionTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task ArchivedRun_ListedByQuery_OpensFromTheArchiveWithItsEventsAndResult()
    {
        var (workflowId, runId) = await RunUntilDeletedAsync("archived-list");
        var page = await fixture.NewPageAsync();

        await page.GotoAsync("/namespaces/default/workflows");
        await page.ClickAsync("header nav a:text-is('Archive')");
        await Expect(page).ToHaveURLAsync(new Regex("/namespaces/default/archival$"));
        await page.FillAsync("form.filter input[name=query]", $"WorkflowId = '{workflowId}'");
        await page.ClickAsync("form.filter button:text-is('Search')");

        var row = page.Locator("table.archived tbody tr");
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row).ToContainTextAsync(runId);
        await Expect(row).ToContainTextAsync(nameof(GreetingWorkflow));
        await Expect(row).ToContainTextAsync("Completed");

        await row.Locator($"a:text-is('{workflowId}')").ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex($"/namespaces/default/archival/{workflowId}/{runId}/history$"));
        await Expect(page.Locator("h1")).ToContainTextAsync("Completed");
        await Expect(page.Locator("h1")).ToContainTextAsync("archived");
        var summary = page.Locator("section.archived-summary");
        await Expect(summary).ToContainTextAsync(nameof(GreetingWorkflow));
        await Expect(summary).ToContainTextAsync(fixture.TaskQueue);
        await Expect(summary).ToContainTextAsync("Hello, archived-list");
        var events = page.Locator("ol.events");
        foreach (var type in new[] { "WorkflowExecutionStarted", "ActivityTaskScheduled", "ActivityTaskCompleted", "WorkflowExecutionCompleted" })
        {
            await Expect(events).ToContainTextAsync(type);
        }
        await Expect(page.Locator(".timeline .tl-bar.tl-completed")).ToHaveCountAsync(1);
        // No actions on a run that no longer exists.
        await Expect(page.Locator("form[action$='/terminate']")).ToHaveCountAsync(0);

        // The archived history downloads as the JSON the SDKs' replayers read.
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("a:text-is('Download history (JSON)')"));
        var history = WorkflowHistory.FromJson(workflowId, await File.ReadAllTextAsync((await download.PathAsync())!));
        Assert.Equal(Temporalio.Api.Enums.V1.EventType.WorkflowExecutionCompleted, history.Events.Last().EventType);
    }

    [Fact]
    public async Task DeletedRunsLiveLink_OpensItFromTheArchive()
    {
        var (workflowId, runId) = await RunUntilDeletedAsync("archived-link");
        var page = await fixture.NewPageAsync();

        await page.GotoAsync($"/namespaces/default/workflows/{workflowId}/{runId}/history");

        await Expect(page).ToHaveURLAsync(new Regex($"/namespaces/default/archival/{workflowId}/{runId}/history$"));
        await Expect(page.Locator("ol.events")).ToContainTextAsync("WorkflowExecutionCompleted");
    }

    [Fact]
    public async Task OpenByIds_BothGiven_OpensTheRun_OneMissing_IsRefused()
    {
        var (workflowId, runId) = await RunUntilDeletedAsync("archived-open");
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/namespaces/default/archival");

        await page.FillAsync("form.open-archived input[name=workflowId]", workflowId);
        var refused = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("form.open-archived button"), r => r.Url.Contains("workflowId=", StringComparison.Ordinal));
        Assert.Equal(400, refused.Status);
        await Expect(page.Locator("p.error[role=alert]")).ToContainTextAsync("Give both the workflow ID and the run ID");
        await Expect(page.Locator("form.open-archived input[name=workflowId]")).ToHaveValueAsync(workflowId);

        await page.FillAsync("form.open-archived input[name=runId]", runId);
        await page.ClickAsync("form.open-archived button");

        await Expect(page).ToHaveURLAsync(new Regex($"/namespaces/default/archival/{workflowId}/{runId}/history$"));
        await Expect(page.Locator("section.archived-summary")).ToContainTextAsync("Hello, archived-open");
    }

    [Fact]
    public async Task Query_WithoutWorkflowIdOrType_ShowsTheArchiversReason()
    {
        var page = await fixture.NewPageAsync();

        var response = await page.GotoAsync($"/namespaces/default/archival?query={Uri.EscapeDataString("CloseTime = '2025-01-01T00:00:00Z' AND SearchPrecision = 'Day'")}");

        Assert.Equal(400, response!.Status);
        await Expect(page.Locator("p.error[role=alert]")).ToContainTextAsync("WorkflowId or WorkflowTypeName is required");
        await Expect(page.Locator("form.filter input[name=query]")).ToHaveValueAsync("CloseTime = '2025-01-01T00:00:00Z' AND SearchPrecision = 'Day'");
    }

    [Fact]
    public async Task UnknownArchivedRun_IsNotFound()
    {
        var page = await fixture.NewPageAsync();

        var response = await page.GotoAsync($"/namespaces/default/archival/never-ran/{Guid.NewGuid()}/history");

        Assert.Equal(404, response!.Status);
    }

    [Fact]
    public async Task NamespaceWithoutArchival_SaysSoAndHowToTurnItOn()
    {
        var page = await fixture.NewPageAsync();

        await page.GotoAsync($"/namespaces/{UiArchivalFixture.PlainNamespace}/archival");

        var card = page.Locator("section.archival-off");
        await Expect(card.Locator("h2")).ToHaveTextAsync($"Archival is off for namespace {UiArchivalFixture.PlainNamespace}");
        await Expect(card).ToContainTextAsync($"temporal operator namespace update --history-archival-state enabled --history-uri s3://bucket/history {UiArchivalFixture.PlainNamespace}");
        await Expect(card).ToContainTextAsync("archival:history:state");
        await Expect(page.Locator("form.filter")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task NamespacePage_ShowsArchivalStateAndLinksTheArchive()
    {
        var page = await fixture.NewPageAsync();

        await page.GotoAsync("/namespaces/default");

        var card = page.Locator("section.archival");
        await Expect(card).ToContainTextAsync($"Enabled, to {fixture.HistoryUri}");
        await card.Locator("a", new() { HasText = "Archived workflows" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/namespaces/default/archival$"));

        await page.GotoAsync($"/namespaces/{UiArchivalFixture.PlainNamespace}");
        await Expect(page.Locator("section.archival dd").First).ToHaveTextAsync("Disabled");
    }

    /// <summary>
    /// The Archive list and an archived run, to TEMPORA_UI_SCREENSHOTS when set (docs/ui, as <see cref="ScreenshotTests"/>),
    /// else to a temporary directory; each must render and yield a PNG.
    /// </summary>
    [Fact]
    public async Task Screenshots_ArchivePages_AreTaken()
    {
        var keep = Environment.GetEnvironmentVariable("TEMPORA_UI_SCREENSHOTS");
        var target = keep is { Length: > 0 } ? keep : Path.Combine(Path.GetTempPath(), $"tempora-ui-shots-{Guid.NewGuid():N}");
        Directory.CreateDirectory(target);
        try
        {
            var (workflowId, runId) = await RunUntilDeletedAsync("archived");
            var page = await fixture.NewPageAsync();
            await page.GotoAsync($"/namespaces/default/archival?query={Uri.EscapeDataString($"WorkflowTypeName = '{nameof(GreetingWorkflow)}'")}");
            await Expect(page.Locator("table.archived")).ToContainTextAsync(workflowId);
            await ShootAsync(page, target, "archive.png");

            await page.GotoAsync($"/namespaces/default/archival/{workflowId}/{runId}/history");
            await Expect(page.Locator("ol.events")).ToBeVisibleAsync();
            await ShootAsync(page, target, "archived-run.png");
        }
        finally
        {
            if (keep is not { Length: > 0 })
            {
                Directory.Delete(target, recursive: true);
            }
        }
    }

    private static async Task ShootAsync(Microsoft.Playwright.IPage page, string directory, string name)
    {
        var path = Path.Combine(directory, name);
        await page.ScreenshotAsync(new Microsoft.Playwright.PageScreenshotOptions { Path = path });
        Assert.True(new FileInfo(path).Length > 1000, $"{name} is empty");
    }

    /// <summary>Runs a greeting to completion and waits until retention has deleted the run (it is then archived).</summary>
    private async Task<(string WorkflowId, string RunId)> RunUntilDeletedAsync(string name)
    {
        var workflowId = $"{name}-{Guid.NewGuid():N}";
        var handle = await fixture.Client.StartWorkflowAsync((GreetingWorkflow wf) => wf.RunAsync(name), new(workflowId, fixture.TaskQueue));
        await handle.GetResultAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var runId = handle.ResultRunId!;
        using var deadline = new CancellationTokenSource(DeletionTimeout);
        while (await ExistsAsync(workflowId, runId))
        {
            await Task.Delay(200, deadline.Token);
        }
        return (workflowId, runId);
    }

    private async Task<bool> ExistsAsync(string workflowId, string runId)
    {
        try
        {
            await fixture.Client.Connection.WorkflowService.DescribeWorkflowExecutionAsync(new DescribeWorkflowExecutionRequest
            {
                Namespace = "default",
                Execution = new Temporalio.Api.Common.V1.WorkflowExecution { WorkflowId = workflowId, RunId = runId },
            });
            return true;
        }
        catch (RpcException e) when (e.Code == RpcException.StatusCode.NotFound)
        {
            return false;
        }
    }
}
