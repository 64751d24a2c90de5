using Microsoft.Playwright;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Exceptions;
using static Microsoft.Playwright.Assertions;

namespace Tempora.Web.Tests;

/// <summary>The UI in headless Chromium against a real server, with workflows run by the SDK's worker.</summary>
[Collection(UiCollection.Name)]
public sealed class BrowserTests(UiServerFixture fixture)
{
    private static readonly TimeSpan ResultTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task WorkflowList_CompletedRuns_ShowsThem()
    {
        var (first, _) = await RunGreetingAsync("list");
        var (second, _) = await RunGreetingAsync("list");
        var page = await fixture.NewPageAsync();

        await page.GotoAsync("/");

        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/namespaces/default/workflows$"));
        var table = page.Locator("table.runs");
        await Expect(table).ToContainTextAsync(first);
        await Expect(table).ToContainTextAsync(second);
        await Expect(table.Locator("tr", new() { HasText = first })).ToContainTextAsync(nameof(GreetingWorkflow));
        await Expect(table.Locator("tr", new() { HasText = first })).ToContainTextAsync("Completed");
    }

    [Fact]
    public async Task WorkflowList_QueryTyped_NarrowsToMatchingRuns()
    {
        var (wanted, _) = await RunGreetingAsync("filter");
        var (other, _) = await RunGreetingAsync("filter");
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/namespaces/default/workflows");
        await Expect(page.Locator("table.runs")).ToContainTextAsync(other);

        await page.FillAsync("input[name=query]", $"WorkflowId = '{wanted}'");
        await page.ClickAsync("form.filter button[type=submit]");

        await Expect(page.Locator("table.runs tbody tr")).ToHaveCountAsync(1);
        await Expect(page.Locator("table.runs")).ToContainTextAsync(wanted);
        await Expect(page.Locator("table.runs")).Not.ToContainTextAsync(other);
        await Expect(page.Locator("input[name=query]")).ToHaveValueAsync($"WorkflowId = '{wanted}'");
    }

    [Fact]
    public async Task WorkflowDetail_CompletedRun_ShowsHistoryResultAndTimeline()
    {
        var (workflowId, result) = await RunGreetingAsync("detail");
        var page = await fixture.NewPageAsync();
        await page.GotoAsync($"/namespaces/default/workflows?query={Uri.EscapeDataString($"WorkflowId = '{workflowId}'")}");

        await page.ClickAsync($"table.runs a:text-is('{workflowId}')");

        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/history$"));
        var events = page.Locator("ol.events");
        foreach (var type in new[] { "WorkflowExecutionStarted", "ActivityTaskScheduled", "ActivityTaskCompleted", "WorkflowExecutionCompleted" })
        {
            await Expect(events).ToContainTextAsync(type);
        }
        await Expect(page.Locator("section.card").First).ToContainTextAsync(result);
        await Expect(page.Locator(".timeline .tl-bar.tl-completed")).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task Signal_SentFromUi_CompletesWorkflowWithSignalledValue()
    {
        var handle = await StartAwaitSignalAsync("signal");
        var page = await fixture.NewPageAsync();
        await page.GotoAsync(RunPath(handle));

        await page.FillAsync("form[action$='/signal'] input[name=name]", "Finish");
        await page.FillAsync("form[action$='/signal'] textarea[name=input]", "\"sent from the browser\"");
        await page.ClickAsync("form[action$='/signal'] button[type=submit]");

        Assert.Equal("sent from the browser", await handle.GetResultAsync<string>().WaitAsync(ResultTimeout));
        await Expect(page.Locator(".notice")).ToContainTextAsync("Signal sent");
    }

    [Fact]
    public async Task Query_FromUi_ShowsResult()
    {
        var handle = await StartAwaitSignalAsync("query");
        var page = await fixture.NewPageAsync();
        await page.GotoAsync(RunPath(handle));

        await page.FillAsync("form[action$='/query'] input[name=name]", "State");
        await page.ClickAsync("form[action$='/query'] button[type=submit]");

        await Expect(page.Locator(".query-result")).ToContainTextAsync("waiting for Finish");
        await handle.TerminateAsync("test done");
    }

    [Fact]
    public async Task Terminate_FromUi_TerminatesWorkflow()
    {
        var handle = await StartAwaitSignalAsync("terminate");
        var page = await fixture.NewPageAsync();
        await page.GotoAsync(RunPath(handle));

        await page.ClickAsync("details summary:text-is('Terminate')");
        await page.FillAsync("form[action$='/terminate'] input[name=reason]", "stuck, terminated from the UI");
        await page.ClickAsync("form[action$='/terminate'] button[type=submit]");

        await Expect(page.Locator("h1 .status")).ToHaveTextAsync("Terminated");
        var description = await handle.DescribeAsync();
        Assert.Equal(WorkflowExecutionStatus.Terminated, description.Status);
        await Expect(page.Locator("section.card").First).ToContainTextAsync("stuck, terminated from the UI");
    }

    [Fact]
    public async Task Reset_FromUi_StartsNewRunThatCompletes()
    {
        var (workflowId, result) = await RunGreetingAsync("reset");
        var firstRun = (await fixture.Client.GetWorkflowHandle(workflowId).DescribeAsync()).RunId;
        var page = await fixture.NewPageAsync();
        await page.GotoAsync(RunPath(workflowId, firstRun));

        await page.ClickAsync("details summary:text-is('Reset')");
        await page.ClickAsync("form[action$='/reset'] button[type=submit]");

        await Expect(page.Locator(".notice")).ToContainTextAsync("Workflow reset");
        Assert.DoesNotContain(firstRun, page.Url, StringComparison.Ordinal);
        var latest = fixture.Client.GetWorkflowHandle(workflowId);
        Assert.Equal(result, await latest.GetResultAsync<string>().WaitAsync(ResultTimeout));
        Assert.NotEqual(firstRun, (await latest.DescribeAsync()).RunId);
    }

    [Fact]
    public async Task Reset_FromUiAfterActivityTimerAndChild_NewRunCarriesOnWithoutRedoingThem()
    {
        var workflowId = $"journey-{Guid.NewGuid():N}";
        var handle = await fixture.Client.StartWorkflowAsync((JourneyWorkflow wf) => wf.RunAsync("ui"), new(workflowId, fixture.TaskQueue));
        var events = await WaitForHistoryAsync(handle, h => h.Any(e => e.EventType == EventType.ChildWorkflowExecutionCompleted)
            && h.Last().EventType == EventType.WorkflowTaskCompleted);
        var afterChild = events.Last().EventId;
        var page = await fixture.NewPageAsync();
        await page.GotoAsync(RunPath(workflowId, handle.ResultRunId!));

        await page.ClickAsync("details summary:text-is('Reset')");
        await page.SelectOptionAsync("form[action$='/reset'] select[name=eventId]", afterChild.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.ClickAsync("form[action$='/reset'] button[type=submit]");

        await Expect(page.Locator(".notice")).ToContainTextAsync("Workflow reset");
        var latest = fixture.Client.GetWorkflowHandle<JourneyWorkflow>(workflowId);
        await latest.SignalAsync(wf => wf.GoAsync());
        Assert.Equal("Hello, ui / Hello, child of ui", await latest.GetResultAsync<string>().WaitAsync(ResultTimeout));
        var resetHistory = (await latest.FetchHistoryAsync()).Events;
        // The activity and the child ran once, in the first run: the new run replays them from its copied history.
        Assert.Single(resetHistory, e => e.EventType == EventType.ActivityTaskScheduled);
        Assert.Single(resetHistory, e => e.EventType == EventType.StartChildWorkflowExecutionInitiated);
        Assert.Contains(resetHistory, e => e.WorkflowTaskFailedEventAttributes?.Cause == WorkflowTaskFailedCause.ResetWorkflow);
    }

    private static async Task<IReadOnlyList<Temporalio.Api.History.V1.HistoryEvent>> WaitForHistoryAsync(WorkflowHandle handle,
        Func<IReadOnlyList<Temporalio.Api.History.V1.HistoryEvent>, bool> done)
    {
        var deadline = DateTime.UtcNow + ResultTimeout;
        while (true)
        {
            var events = (await handle.FetchHistoryAsync()).Events.ToList();
            if (done(events))
            {
                return events;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"history of {handle.Id} did not reach the expected point; last event {events.LastOrDefault()?.EventType}");
            }
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task FailedWorkflow_Detail_ShowsFailureMessage()
    {
        var workflowId = $"failing-{Guid.NewGuid():N}";
        var handle = await fixture.Client.StartWorkflowAsync((FailingWorkflow wf) => wf.RunAsync(), new(workflowId, fixture.TaskQueue));
        await Assert.ThrowsAsync<WorkflowFailedException>(() => handle.GetResultAsync().WaitAsync(ResultTimeout));
        var page = await fixture.NewPageAsync();

        await page.GotoAsync($"/namespaces/default/workflows?status=Failed");
        await page.ClickAsync($"table.runs a:text-is('{workflowId}')");

        await Expect(page.Locator("h1 .status")).ToHaveTextAsync("Failed");
        var failure = page.Locator("section.card .failure").First;
        await Expect(failure).ToContainTextAsync(FailingWorkflow.Message);
        await Expect(failure).ToContainTextAsync("InvalidOrder");
    }

    [Fact]
    public async Task WorkflowList_PhoneWidth_DoesNotOverflowSideways()
    {
        await RunGreetingAsync("phone");
        var page = await fixture.NewPageAsync(width: 390, height: 844);

        await page.GotoAsync("/namespaces/default/workflows");

        await Expect(page.Locator("table.runs")).ToBeVisibleAsync();
        var overflow = await page.EvaluateAsync<int>("document.documentElement.scrollWidth - window.innerWidth");
        Assert.True(overflow <= 0, $"the page is {overflow}px wider than a 390px screen");
    }

    [Fact]
    public async Task TaskQueue_WorkerPolling_ShowsPoller()
    {
        var page = await fixture.NewPageAsync();

        await page.GotoAsync($"/namespaces/default/task-queues/{fixture.TaskQueue}");

        // The SDK worker of the fixture polls both sides of its task queue.
        await Expect(page.Locator("table.pollers")).ToHaveCountAsync(2);
        await Expect(page.Locator("table.pollers").First).ToContainTextAsync("@");
    }

    private async Task<(string WorkflowId, string Result)> RunGreetingAsync(string prefix)
    {
        var workflowId = $"{prefix}-{Guid.NewGuid():N}";
        var handle = await fixture.Client.StartWorkflowAsync((GreetingWorkflow wf) => wf.RunAsync(prefix), new(workflowId, fixture.TaskQueue));
        return (workflowId, await handle.GetResultAsync().WaitAsync(ResultTimeout));
    }

    private async Task<WorkflowHandle<AwaitSignalWorkflow>> StartAwaitSignalAsync(string prefix) =>
        await fixture.Client.StartWorkflowAsync((AwaitSignalWorkflow wf) => wf.RunAsync(), new($"{prefix}-{Guid.NewGuid():N}", fixture.TaskQueue));

    private static string RunPath(WorkflowHandle handle) => RunPath(handle.Id, handle.ResultRunId!);

    private static string RunPath(string workflowId, string runId) =>
        $"/namespaces/default/workflows/{Uri.EscapeDataString(workflowId)}/{Uri.EscapeDataString(runId)}/history";
}
