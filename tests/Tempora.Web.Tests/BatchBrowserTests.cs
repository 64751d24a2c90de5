using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using static Microsoft.Playwright.Assertions;

namespace Tempora.Web.Tests;

/// <summary>
/// Many workflows at once from the workflow list in headless Chromium: the confirmation (count, query or ids, and
/// nothing changed before it is confirmed), then the batch run by the server and watched on its page.
/// </summary>
[Collection(UiCollection.Name)]
public sealed class BatchBrowserTests(UiServerFixture fixture)
{
    private static readonly TimeSpan BatchTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Terminate_SelectedRows_ConfirmationListsThemAndChangesNothing()
    {
        var (prefix, handles) = await StartRunningAsync("confirm-rows");
        var page = await OpenListAsync(prefix);

        await page.Locator("table.runs input[name=execution]").Nth(0).CheckAsync();
        await page.Locator("table.runs input[name=execution]").Nth(2).CheckAsync();
        await page.ClickAsync("form.batch-bar button[value=terminate]");

        await Expect(page.Locator("h1")).ToHaveTextAsync("Terminate workflows");
        await Expect(page.Locator(".batch-count")).ToHaveTextAsync("Terminate 2 selected workflows:");
        await Expect(page.Locator("ul.batch-executions li")).ToHaveCountAsync(2);
        await Expect(page.Locator(".batch-confirm button[type=submit]")).ToHaveTextAsync("Terminate 2 workflows");
        foreach (var handle in handles)
        {
            Assert.Equal(WorkflowExecutionStatus.Running, (await handle.DescribeAsync()).Status);
        }
        await TerminateAsync(handles);
    }

    [Fact]
    public async Task Cancel_AllMatching_ConfirmationShowsCountAndQueryAndChangesNothing()
    {
        var (prefix, handles) = await StartRunningAsync("confirm-all");
        var page = await OpenListAsync(prefix);

        await page.CheckAsync("input[name=scope][value=all]");
        await page.ClickAsync("form.batch-bar button[value=cancel]");

        await Expect(page.Locator(".batch-count")).ToHaveTextAsync("Request cancellation of 3 workflows matching this query:");
        await Expect(page.Locator("pre.batch-query")).ToHaveTextAsync($"(WorkflowId STARTS_WITH '{prefix}') AND ExecutionStatus = 'Running'");
        await Expect(page.Locator(".batch-confirm button[type=submit]")).ToHaveTextAsync("Cancel 3 workflows");
        foreach (var handle in handles)
        {
            var description = await handle.DescribeAsync();
            Assert.Equal(WorkflowExecutionStatus.Running, description.Status);
            Assert.DoesNotContain(await handle.FetchHistoryAsync().ContinueWith(h => h.Result.Events), e => e.EventType == EventType.WorkflowExecutionCancelRequested);
        }
        await TerminateAsync(handles);
    }

    [Fact]
    public async Task Signal_NothingSelected_IsRefusedWithTheWayBack()
    {
        var (prefix, handles) = await StartRunningAsync("confirm-none");
        var page = await OpenListAsync(prefix);

        var response = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("form.batch-bar button[value=signal]"), r => r.Request.Method == "POST");

        Assert.Equal(400, response.Status);
        await Expect(page.Locator(".error")).ToContainTextAsync("No workflow is selected");
        await page.ClickAsync("text=Back to the list");
        await Expect(page.Locator("input[name=query]")).ToHaveValueAsync($"WorkflowId STARTS_WITH '{prefix}'");
        await TerminateAsync(handles);
    }

    [Fact]
    public async Task Terminate_ThreeSelectedRows_BatchCompletesAndTerminatesThem()
    {
        var (prefix, handles) = await StartRunningAsync("batch-rows");
        var page = await OpenListAsync(prefix);

        await page.CheckAsync("input[data-select-all]");
        await page.ClickAsync("form.batch-bar button[value=terminate]");
        await Expect(page.Locator(".batch-count")).ToHaveTextAsync("Terminate 3 selected workflows:");
        await page.FillAsync(".batch-confirm input[name=reason]", "incident 7: selected");
        await page.ClickAsync(".batch-confirm button[type=submit]");

        var jobId = await ExpectBatchCompletedAsync(page, total: 3, "Terminate", "incident 7: selected");
        await AssertTerminatedAsync(handles, "incident 7: selected");
        await page.ClickAsync(".top nav a:text-is('Batches')");
        await Expect(page.Locator($"table.batches a:text-is('{jobId}')")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Terminate_AllMatchingQuery_BatchCompletesWithTheRightCounts()
    {
        var (prefix, handles) = await StartRunningAsync("batch-all");
        var page = await OpenListAsync(prefix);

        await page.CheckAsync("input[name=scope][value=all]");
        await page.ClickAsync("form.batch-bar button[value=terminate]");
        await Expect(page.Locator(".batch-count")).ToHaveTextAsync("Terminate 3 workflows matching this query:");
        await page.ClickAsync(".batch-confirm button[type=submit]");

        await ExpectBatchCompletedAsync(page, total: 3, "Terminate", "terminate from the web UI");
        await AssertTerminatedAsync(handles, "terminate from the web UI");
    }

    /// <summary>The batch's page after the redirect: it reloads itself until the batch is Completed.</summary>
    private static async Task<string> ExpectBatchCompletedAsync(IPage page, int total, string type, string reason)
    {
        await Expect(page).ToHaveURLAsync(new Regex("/namespaces/default/batch-operations/[0-9a-f-]{36}\\?done=start$"));
        await Expect(page.Locator(".notice")).ToHaveTextAsync("Batch started.");
        await Expect(page.Locator("h1 .status")).ToHaveTextAsync("Completed", new() { Timeout = (float)BatchTimeout.TotalMilliseconds });
        await Expect(page.Locator(".batch-total")).ToHaveTextAsync(total.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Expect(page.Locator(".batch-completed")).ToHaveTextAsync(total.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Expect(page.Locator(".batch-failed")).ToHaveTextAsync("0");
        await Expect(page.Locator(".batch-type")).ToHaveTextAsync(type);
        await Expect(page.Locator("section.card", new() { HasText = "Summary" })).ToContainTextAsync(reason);
        await Expect(page.Locator("form[action$='/stop']")).ToHaveCountAsync(0);
        return new Uri(page.Url).Segments[^1];
    }

    private async Task<(string Prefix, IReadOnlyList<WorkflowHandle> Handles)> StartRunningAsync(string name)
    {
        var prefix = $"{name}-{Guid.NewGuid():N}";
        var handles = new List<WorkflowHandle>();
        for (var i = 0; i < 3; i++)
        {
            handles.Add(await fixture.Client.StartWorkflowAsync((AwaitSignalWorkflow wf) => wf.RunAsync(), new($"{prefix}-{i}", fixture.TaskQueue)));
        }
        return (prefix, handles);
    }

    private async Task<IPage> OpenListAsync(string prefix)
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync($"/namespaces/default/workflows?query={Uri.EscapeDataString($"WorkflowId STARTS_WITH '{prefix}'")}");
        await Expect(page.Locator("table.runs tbody tr")).ToHaveCountAsync(3);
        return page;
    }

    private static async Task AssertTerminatedAsync(IEnumerable<WorkflowHandle> handles, string reason)
    {
        foreach (var handle in handles)
        {
            var history = await handle.FetchHistoryAsync();
            var terminated = history.Events.Last().WorkflowExecutionTerminatedEventAttributes;
            Assert.NotNull(terminated);
            Assert.Equal(reason, terminated.Reason);
        }
    }

    private static async Task TerminateAsync(IEnumerable<WorkflowHandle> handles)
    {
        foreach (var handle in handles)
        {
            await handle.TerminateAsync("test done");
        }
    }
}
