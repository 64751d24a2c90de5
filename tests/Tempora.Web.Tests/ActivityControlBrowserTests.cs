using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using static Microsoft.Playwright.Assertions;

namespace Tempora.Web.Tests;

/// <summary>A pending activity paused, unpaused and reset from the run's page, checked through DescribeWorkflowExecution.</summary>
[Collection(UiCollection.Name)]
public sealed class ActivityControlBrowserTests(UiServerFixture fixture)
{

    [Fact]
    public async Task PauseThenUnpause_FromRunPage_ShowsAndChangesThePausedState()
    {
        var handle = await StartWithPendingActivityAsync("pause");
        var page = await fixture.NewPageAsync();
        await page.GotoAsync(RunPath(handle));
        var controls = page.Locator($".activity-actions[data-activity-id='{PendingActivityWorkflow.ActivityId}']");

        await controls.Locator("form[action$='/activity-pause'] input[name=reason]").FillAsync("flaky downstream");
        await controls.Locator("form[action$='/activity-pause'] button[type=submit]").ClickAsync();

        await Expect(page.Locator(".notice")).ToHaveTextAsync("Activity paused.");
        await Expect(page.Locator(".pending-activity dd.activity-paused")).ToContainTextAsync("by tempora-web-ui: flaky downstream");
        Assert.True((await PendingAsync(handle)).Paused);

        await controls.Locator("form[action$='/activity-unpause'] button[type=submit]").ClickAsync();

        await Expect(page.Locator(".notice")).ToHaveTextAsync("Activity unpaused.");
        await Expect(page.Locator(".pending-activity dd.activity-paused")).ToHaveCountAsync(0);
        await Expect(controls.Locator("form[action$='/activity-pause']")).ToBeVisibleAsync();
        Assert.False((await PendingAsync(handle)).Paused);
        await handle.TerminateAsync("test done");
    }

    [Fact]
    public async Task Reset_FromRunPage_StartsTheActivityAgainFromAttemptOne()
    {
        var handle = await StartWithPendingActivityAsync("reset");
        var page = await fixture.NewPageAsync();
        await page.GotoAsync(RunPath(handle));
        var controls = page.Locator($".activity-actions[data-activity-id='{PendingActivityWorkflow.ActivityId}']");

        await controls.Locator("form[action$='/activity-reset'] button[type=submit]").ClickAsync();

        await Expect(page.Locator(".notice")).ToHaveTextAsync("Activity reset.");
        var pending = await PendingAsync(handle);
        Assert.Equal(1, pending.Attempt);
        Assert.False(pending.Paused);
        await handle.TerminateAsync("test done");
    }

    private async Task<WorkflowHandle> StartWithPendingActivityAsync(string prefix)
    {
        var handle = await fixture.Client.StartWorkflowAsync((PendingActivityWorkflow wf) => wf.RunAsync(),
            new($"{prefix}-{Guid.NewGuid():N}", fixture.TaskQueue));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await DescribeAsync(handle)).PendingActivities is not [{ State: PendingActivityState.Started }])
        {
            Assert.True(DateTime.UtcNow < deadline, "the activity did not start within 30 s");
            await Task.Delay(50);
        }
        return handle;
    }

    private async Task<Temporalio.Api.Workflow.V1.PendingActivityInfo> PendingAsync(WorkflowHandle handle) =>
        Assert.Single((await DescribeAsync(handle)).PendingActivities);

    private Task<DescribeWorkflowExecutionResponse> DescribeAsync(WorkflowHandle handle) =>
        fixture.Client.WorkflowService.DescribeWorkflowExecutionAsync(new()
        {
            Namespace = "default",
            Execution = new() { WorkflowId = handle.Id, RunId = handle.ResultRunId! },
        });

    private static string RunPath(WorkflowHandle handle) =>
        $"/namespaces/default/workflows/{Uri.EscapeDataString(handle.Id)}/{Uri.EscapeDataString(handle.ResultRunId!)}/history";
}
