using Google.Protobuf;
using Microsoft.Playwright;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using static Microsoft.Playwright.Assertions;

namespace Tempora.Web.Tests;

/// <summary>
/// Any workflow id opens from the list and its actions reach that run: ids that are path steps to a browser ("." and
/// ".."), or hold '/', '?', '#', '%' escapes, spaces or non-ASCII letters.
/// </summary>
[Collection(UiCollection.Name)]
public sealed class WorkflowIdLinkTests(UiServerFixture fixture)
{
    private static readonly TimeSpan ResultTimeout = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("?x#y")]
    [InlineData("%2e")]
    [InlineData("a%2Fb")]
    [InlineData("!.")]
    [InlineData("spaced out ünïcødé 工作流")]
    public async Task Id_OpensFromListAndActionsReachTheRun(string workflowId)
    {
        var first = await fixture.Client.StartWorkflowAsync((AwaitSignalWorkflow wf) => wf.RunAsync(),
            new(workflowId, fixture.TaskQueue) { IdConflictPolicy = WorkflowIdConflictPolicy.TerminateExisting });
        var page = await fixture.NewPageAsync();

        // The list: its link opens this run.
        await page.GotoAsync($"/namespaces/default/workflows?query={Uri.EscapeDataString($"WorkflowId = '{workflowId.Replace("'", "''", StringComparison.Ordinal)}' AND RunId = '{first.ResultRunId}'")}");
        await page.Locator("table.runs tbody tr td:nth-child(3) a").ClickAsync();
        await AssertShowsRunAsync(page, workflowId, first.ResultRunId!);

        // The history download of this run.
        var download = await page.APIRequest.GetAsync(await page.Locator("a[download]").GetAttributeAsync("href") ?? "");
        Assert.Equal(200, download.Status);
        var history = JsonParser.Default.Parse<Temporalio.Api.History.V1.History>(await download.TextAsync());
        Assert.Equal(first.ResultRunId, history.Events[0].WorkflowExecutionStartedEventAttributes.OriginalExecutionRunId);

        // Query, then terminate.
        await page.FillAsync("form[action*='/query'] input[name=name]", "State");
        await page.ClickAsync("form[action*='/query'] button[type=submit]");
        await Expect(page.Locator(".query-result")).ToContainTextAsync("waiting for Finish");
        await AssertShowsRunAsync(page, workflowId, first.ResultRunId!);
        await page.ClickAsync("details summary:text-is('Terminate')");
        await page.FillAsync("form[action*='/terminate'] input[name=reason]", "terminated from the UI");
        await page.ClickAsync("form[action*='/terminate'] button[type=submit]");
        await Expect(page.Locator("h1 .status")).ToHaveTextAsync("Terminated");
        Assert.Equal(WorkflowExecutionStatus.Terminated, (await first.DescribeAsync()).Status);

        // Reset the terminated run: the page moves to the new run, whose signal form completes it.
        await page.ClickAsync("details summary:text-is('Reset')");
        await page.ClickAsync("form[action*='/reset'] button[type=submit]");
        await Expect(page.Locator(".notice")).ToContainTextAsync("Workflow reset");
        var latest = fixture.Client.GetWorkflowHandle(workflowId);
        var resetRunId = (await latest.DescribeAsync()).RunId;
        Assert.NotEqual(first.ResultRunId, resetRunId);
        await AssertShowsRunAsync(page, workflowId, resetRunId);
        await page.FillAsync("form[action*='/signal'] input[name=name]", "Finish");
        await page.FillAsync("form[action*='/signal'] textarea[name=input]", "\"signalled from the UI\"");
        await page.ClickAsync("form[action*='/signal'] button[type=submit]");
        Assert.Equal("signalled from the UI", await latest.GetResultAsync<string>().WaitAsync(ResultTimeout));
        await Expect(page.Locator(".notice")).ToContainTextAsync("Signal sent");

        // "Latest run of this id" finds the same run.
        await page.ClickAsync("a:text-is('latest run of this id')");
        await AssertShowsRunAsync(page, workflowId, resetRunId);
    }

    [Fact]
    public async Task RunUrlWithoutHistory_RedirectsWithTheIdAsSent()
    {
        var handle = await fixture.Client.StartWorkflowAsync((GreetingWorkflow wf) => wf.RunAsync("redirect"), new($"x%2Fy?{Guid.NewGuid():N}", fixture.TaskQueue));
        await handle.GetResultAsync().WaitAsync(ResultTimeout);
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var runPath = $"/namespaces/default/workflows/{Uri.EscapeDataString(handle.Id)}/{handle.ResultRunId}";

        using var response = await http.GetAsync(new Uri(fixture.UiBase, runPath + "?done=signal"));

        Assert.Equal(System.Net.HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(runPath + "/history?done=signal", response.Headers.Location?.OriginalString);
    }

    private static async Task AssertShowsRunAsync(IPage page, string workflowId, string runId)
    {
        await Expect(page.Locator("h1.wf-title span:not(.status)")).ToHaveTextAsync(workflowId);
        await Expect(page.Locator("dl.summary dt:text-is('Run ID') + dd")).ToHaveTextAsync(runId);
    }
}
