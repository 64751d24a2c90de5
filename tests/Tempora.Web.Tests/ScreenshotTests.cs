using Microsoft.Playwright;
using Temporalio.Client.Schedules;
using Temporalio.Exceptions;
using static Microsoft.Playwright.Assertions;

namespace Tempora.Web.Tests;

/// <summary>
/// Screenshots of the main pages. They go to TEMPORA_UI_SCREENSHOTS when set (docs/ui is refreshed with
/// <c>TEMPORA_UI_SCREENSHOTS=$PWD/docs/ui dotnet test tests/Tempora.Web.Tests --filter Screenshots</c>), else to a
/// temporary directory; either way each page must render and yield a PNG.
/// </summary>
[Collection(UiCollection.Name)]
public sealed class ScreenshotTests(UiServerFixture fixture)
{
    [Fact]
    public Task Screenshots_MainPages_AreTaken() => InTargetAsync(TakeAllAsync);

    [Fact]
    public Task Screenshots_SchedulePages_AreTaken() => InTargetAsync(TakeSchedulesAsync);

    [Fact]
    public Task Screenshots_BatchConfirmation_IsTaken() => InTargetAsync(target => TakeBatchAsync(target, confirm: false));

    [Fact]
    public Task Screenshots_BatchPage_IsTaken() => InTargetAsync(target => TakeBatchAsync(target, confirm: true));

    [Fact]
    public Task Screenshots_PausedActivity_IsTaken() => InTargetAsync(TakePausedActivityAsync);

    [Fact]
    public Task Screenshots_DeploymentPage_IsTaken() => InTargetAsync(TakeDeploymentAsync);

    private static async Task InTargetAsync(Func<string, Task> take)
    {
        var keep = Environment.GetEnvironmentVariable("TEMPORA_UI_SCREENSHOTS");
        var target = keep is { Length: > 0 } ? keep : Path.Combine(Path.GetTempPath(), $"tempora-ui-shots-{Guid.NewGuid():N}");
        Directory.CreateDirectory(target);
        try
        {
            await take(target);
        }
        finally
        {
            if (keep is not { Length: > 0 })
            {
                Directory.Delete(target, recursive: true);
            }
        }
    }

    private async Task TakeAllAsync(string target)
    {
        foreach (var name in new[] { "alice", "bob", "carol" })
        {
            var handle = await fixture.Client.StartWorkflowAsync((GreetingWorkflow wf) => wf.RunAsync(name), new($"greeting-{name}-{Guid.NewGuid():N}"[..22], fixture.TaskQueue));
            await handle.GetResultAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        var failed = await fixture.Client.StartWorkflowAsync((FailingWorkflow wf) => wf.RunAsync(), new($"order-42-{Guid.NewGuid():N}"[..17], fixture.TaskQueue));
        await Assert.ThrowsAsync<WorkflowFailedException>(() => failed.GetResultAsync().WaitAsync(TimeSpan.FromSeconds(30)));
        var waiting = await fixture.Client.StartWorkflowAsync((AwaitSignalWorkflow wf) => wf.RunAsync(), new($"awaiting-{Guid.NewGuid():N}"[..17], fixture.TaskQueue));
        var page = await fixture.NewPageAsync(1280, 800);

        await page.GotoAsync("/namespaces/default/workflows");
        await Expect(page.Locator("table.runs")).ToBeVisibleAsync();
        await ShootAsync(page, target, "workflows.png");

        await page.GotoAsync($"/namespaces/default/workflows/{failed.Id}/{failed.ResultRunId}/history");
        await Expect(page.Locator(".failure").First).ToBeVisibleAsync();
        await ShootAsync(page, target, "workflow-failed.png");

        var greeting = await fixture.Client.ListWorkflowsAsync($"WorkflowType = 'GreetingWorkflow' AND TaskQueue = '{fixture.TaskQueue}'").FirstAsync();
        await page.GotoAsync($"/namespaces/default/workflows/{greeting.Id}/{greeting.RunId}/history");
        await page.ClickAsync("[data-expand-all]");
        await page.Locator("section.card:has(.timeline)").ScrollIntoViewIfNeededAsync();
        await ShootAsync(page, target, "workflow-history.png");

        await page.GotoAsync($"/namespaces/default/task-queues/{fixture.TaskQueue}");
        await Expect(page.Locator("table.pollers").First).ToBeVisibleAsync();
        await ShootAsync(page, target, "task-queue.png");

        var phone = await fixture.NewPageAsync(390, 844);
        await phone.GotoAsync($"/namespaces/default/workflows/{failed.Id}/{failed.ResultRunId}/history");
        await Expect(phone.Locator(".failure").First).ToBeVisibleAsync();
        await ShootAsync(phone, target, "workflow-phone.png");

        await waiting.TerminateAsync("screenshots taken");
    }

    private async Task TakeSchedulesAsync(string target)
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var daily = await TestSchedules.CreateDailyAsync(fixture, $"daily-report-{suffix}", paused: false);
        await TestSchedules.CreateDailyAsync(fixture, $"month-end-close-{suffix}", note: "paused until the audit is done");
        await fixture.Client.CreateScheduleAsync($"cache-warmup-{suffix}", new Schedule(
            ScheduleActionStartWorkflow.Create((GreetingWorkflow wf) => wf.RunAsync("cache"), new($"cache-warmup-{suffix}-wf", fixture.TaskQueue)),
            new ScheduleSpec { Intervals = [new ScheduleIntervalSpec(TimeSpan.FromMinutes(15))] })
        {
            State = new ScheduleState { Paused = true, Note = "screenshots" },
        });
        await daily.TriggerAsync();
        await TestSchedules.WaitForAsync(daily, d => d.Info.RecentActions.Count == 1);
        var page = await fixture.NewPageAsync(1280, 800);

        await page.GotoAsync("/namespaces/default/schedules");
        await Expect(page.Locator("table.schedules")).ToContainTextAsync($"cache-warmup-{suffix}");
        await ShootAsync(page, target, "schedules.png");

        await page.GotoAsync($"/namespaces/default/schedules/{daily.Id}");
        await Expect(page.Locator("table.recent-actions")).ToBeVisibleAsync();
        await ShootAsync(page, target, "schedule.png");
    }

    /// <summary>The confirmation of terminating two of three workflows, then (confirmed) the batch's page once it completed.</summary>
    private async Task TakeBatchAsync(string target, bool confirm)
    {
        var prefix = $"invoice-{Guid.NewGuid():N}"[..16];
        var handles = new List<Temporalio.Client.WorkflowHandle>();
        for (var i = 1; i <= 3; i++)
        {
            handles.Add(await fixture.Client.StartWorkflowAsync((AwaitSignalWorkflow wf) => wf.RunAsync(), new($"{prefix}-{i}", fixture.TaskQueue)));
        }
        var page = await fixture.NewPageAsync(1280, 800);
        await page.GotoAsync($"/namespaces/default/workflows?query={Uri.EscapeDataString($"WorkflowId STARTS_WITH '{prefix}'")}");
        await Expect(page.Locator("table.runs tbody tr")).ToHaveCountAsync(3);
        await page.Locator("table.runs input[name=execution]").Nth(0).CheckAsync();
        await page.Locator("table.runs input[name=execution]").Nth(1).CheckAsync();

        await page.ClickAsync("form.batch-bar button[value=terminate]");
        await page.FillAsync(".batch-confirm input[name=reason]", "duplicate invoices after the 03:00 import");
        await Expect(page.Locator(".batch-count")).ToBeVisibleAsync();
        if (!confirm)
        {
            await ShootAsync(page, target, "batch-confirm.png");
            foreach (var handle in handles)
            {
                await handle.TerminateAsync("screenshots taken");
            }
            return;
        }
        await page.ClickAsync(".batch-confirm button[type=submit]");
        await Expect(page.Locator("h1 .status")).ToHaveTextAsync("Completed", new() { Timeout = 60_000 });
        await ShootAsync(page, target, "batch.png");
        foreach (var handle in handles)
        {
            if ((await handle.DescribeAsync()).Status == Temporalio.Api.Enums.V1.WorkflowExecutionStatus.Running)
            {
                await handle.TerminateAsync("screenshots taken"); // the row left unticked
            }
        }
    }

    /// <summary>A run whose pending activity was paused from its page: the state and the controls.</summary>
    private async Task TakePausedActivityAsync(string target)
    {
        var handle = await fixture.Client.StartWorkflowAsync((PendingActivityWorkflow wf) => wf.RunAsync(), new($"sync-ledger-{Guid.NewGuid():N}"[..20], fixture.TaskQueue));
        var page = await fixture.NewPageAsync(1280, 800);
        var path = $"/namespaces/default/workflows/{handle.Id}/{handle.ResultRunId}/history";
        await page.GotoAsync(path);
        while (await page.Locator("form[action$='/activity-pause']").CountAsync() == 0)
        {
            await page.ReloadAsync(); // until the activity is pending
        }

        await page.FillAsync("form[action$='/activity-pause'] input[name=reason]", "ledger API rate-limited");
        await page.ClickAsync("form[action$='/activity-pause'] button[type=submit]");
        await Expect(page.Locator(".pending-activity dd.activity-paused")).ToBeVisibleAsync();
        await page.EvaluateAsync("document.querySelector('.pending-activity').scrollIntoView({ block: 'start' })");
        await ShootAsync(page, target, "workflow-activity.png");

        await handle.TerminateAsync("screenshots taken");
    }

    /// <summary>A deployment with a current and a ramping version, set from its page's forms.</summary>
    private async Task TakeDeploymentAsync(string target)
    {
        var name = "checkout"; // one per server: the screenshot is taken once
        var taskQueue = $"checkout-{Guid.NewGuid():N}"[..17];
        foreach (var buildId in new[] { "2026.12.01", "2026.12.04", "2026.12.07" })
        {
            await DeploymentVersions.RegisterAsync(fixture, name, buildId, taskQueue);
        }
        var page = await fixture.NewPageAsync(1280, 800);
        await page.GotoAsync($"/namespaces/default/worker-deployments/{name}");
        foreach (var buildId in new[] { "2026.12.01", "2026.12.04" })
        {
            await page.ClickAsync("summary:text-is('Set current version')");
            await page.SelectOptionAsync("form.set-current select[name=build-id]", buildId);
            await page.ClickAsync("form.set-current button[type=submit]");
            await Expect(page.Locator(".notice")).ToHaveTextAsync("Current version set.");
        }
        await page.ClickAsync("summary:text-is('Set ramping version')");
        await page.SelectOptionAsync("form.set-ramping select[name=build-id]", "2026.12.07");
        await page.FillAsync("form.set-ramping input[name=percentage]", "20");
        await page.ClickAsync("form.set-ramping button[type=submit]");
        await Expect(page.Locator(".notice")).ToHaveTextAsync("Ramping version set.");
        await ShootAsync(page, target, "deployment.png");
    }

    private static async Task ShootAsync(IPage page, string directory, string name)
    {
        var path = Path.Combine(directory, name);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path });
        Assert.True(new FileInfo(path).Length > 1000, $"{name} is empty");
    }
}
