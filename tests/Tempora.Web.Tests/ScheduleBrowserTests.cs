using Temporalio.Api.Enums.V1;
using static Microsoft.Playwright.Assertions;

namespace Tempora.Web.Tests;

/// <summary>The schedule pages in headless Chromium: the list's links and the action forms, checked through the SDK.</summary>
[Collection(UiCollection.Name)]
public sealed class ScheduleBrowserTests(UiServerFixture fixture)
{
    [Fact]
    public async Task ScheduleList_LinkOfAnOddId_OpensItsPage()
    {
        var id = $"nightly/report?x#y {Guid.NewGuid():N}";
        await TestSchedules.CreateDailyAsync(fixture, id);
        var page = await fixture.NewPageAsync();

        await page.GotoAsync("/namespaces/default/schedules");
        await page.ClickAsync($"table.schedules a:text-is('{id}')");

        await Expect(page.Locator("h1")).ToContainTextAsync(id);
        await Expect(page.Locator(".spec-time")).ToHaveTextAsync("every day at 09:30 (Europe/Berlin)");
    }

    [Fact]
    public async Task SchedulePages_InChromium_CarryHeadersAndTripNoPolicy()
    {
        var id = $"csp-{Guid.NewGuid():N}";
        await TestSchedules.CreateDailyAsync(fixture, id);
        var page = await fixture.NewPageAsync();
        var violations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && (message.Text.Contains("Content Security Policy", StringComparison.Ordinal) || message.Text.StartsWith("Refused to", StringComparison.Ordinal)))
            {
                violations.Add($"{page.Url}: {message.Text}");
            }
        };

        foreach (var path in new[] { "/namespaces/default/schedules", $"/namespaces/default/schedules/{id}", "/namespaces/default/schedules/no-such-schedule" })
        {
            var response = await page.GotoAsync(path) ?? throw new InvalidOperationException($"no response for {path}");
            SecurityHeaderTests.AssertSecurityHeaders(path, await response.AllHeadersAsync());
        }

        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
    }

    [Fact]
    public async Task PauseThenUnpause_WithNotes_ChangeTheSchedule()
    {
        var id = $"pause-{Guid.NewGuid():N}";
        var handle = await TestSchedules.CreateDailyAsync(fixture, id, paused: false);
        var page = await fixture.NewPageAsync();
        await page.GotoAsync($"/namespaces/default/schedules/{id}");

        await page.FillAsync("form[action$='/pause'] input[name=note]", "holiday freeze");
        await page.ClickAsync("form[action$='/pause'] button[type=submit]");

        await Expect(page.Locator(".notice")).ToContainTextAsync("Schedule paused");
        await Expect(page.Locator("dd.notes")).ToHaveTextAsync("holiday freeze");
        var paused = await handle.DescribeAsync();
        Assert.True(paused.Schedule.State.Paused);
        Assert.Equal("holiday freeze", paused.Schedule.State.Note);

        await page.FillAsync("form[action$='/unpause'] input[name=note]", "back to work");
        await page.ClickAsync("form[action$='/unpause'] button[type=submit]");

        await Expect(page.Locator(".notice")).ToContainTextAsync("Schedule unpaused");
        await Expect(page.Locator("h1 .status")).ToHaveTextAsync("Running");
        var unpaused = await handle.DescribeAsync();
        Assert.False(unpaused.Schedule.State.Paused);
        Assert.Equal("back to work", unpaused.Schedule.State.Note);
    }

    [Fact]
    public async Task TriggerNow_StartsTheWorkflowAndListsIt()
    {
        var id = $"trigger-{Guid.NewGuid():N}";
        var handle = await TestSchedules.CreateDailyAsync(fixture, id);
        var page = await fixture.NewPageAsync();
        await page.GotoAsync($"/namespaces/default/schedules/{id}");

        await page.Locator("summary", new() { HasText = "Trigger now" }).ClickAsync();
        await page.SelectOptionAsync("form[action$='/trigger'] select[name=overlap]", nameof(ScheduleOverlapPolicy.AllowAll));
        await page.ClickAsync("form[action$='/trigger'] button[type=submit]");

        await Expect(page.Locator(".notice")).ToContainTextAsync("Triggered");
        var description = await TestSchedules.WaitForAsync(handle, d => d.Info.RecentActions.Count == 1);
        var started = (Temporalio.Client.Schedules.ScheduleActionExecutionStartWorkflow)description.Info.RecentActions.First().Action;
        Assert.StartsWith($"{id}-wf", started.WorkflowId, StringComparison.Ordinal);
        Assert.Equal("Hello, scheduled", await fixture.Client.GetWorkflowHandle<GreetingWorkflow, string>(started.WorkflowId)
            .GetResultAsync().WaitAsync(TimeSpan.FromSeconds(30)));

        await page.ReloadAsync();
        await Expect(page.Locator("table.recent-actions a")).ToHaveTextAsync(started.WorkflowId);
        await page.ClickAsync("table.recent-actions a");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(System.Text.RegularExpressions.Regex.Escape(
            $"/workflows/{Uri.EscapeDataString(started.WorkflowId)}/{started.FirstExecutionRunId}/history") + "$"));
    }

    [Fact]
    public async Task Delete_Confirmed_RemovesTheScheduleAndReturnsToTheList()
    {
        var id = $"delete-{Guid.NewGuid():N}";
        var handle = await TestSchedules.CreateDailyAsync(fixture, id);
        var page = await fixture.NewPageAsync();
        string? confirmation = null;
        page.Dialog += (_, dialog) => confirmation = dialog.Message;
        await page.GotoAsync($"/namespaces/default/schedules/{id}");

        await page.Locator("summary", new() { HasText = "Delete" }).ClickAsync();
        await page.ClickAsync("form[action$='/delete'] button[type=submit]");

        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/namespaces/default/schedules\\?done=delete"));
        await Expect(page.Locator(".notice")).ToContainTextAsync($"Schedule {id} deleted");
        Assert.Equal($"Delete the schedule {id}? Workflows it started keep running.", confirmation);
        var error = await Assert.ThrowsAsync<Temporalio.Exceptions.RpcException>(() => handle.DescribeAsync());
        Assert.Equal(Temporalio.Exceptions.RpcException.StatusCode.NotFound, error.Code);
    }
}
