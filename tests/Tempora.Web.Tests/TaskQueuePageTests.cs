using Temporalio.Client;
using static Microsoft.Playwright.Assertions;

namespace Tempora.Web.Tests;

/// <summary>The task queue page: per task type its backlog, the backlog's age, the add and dispatch rates, and its workers.</summary>
[Collection(UiCollection.Name)]
public sealed class TaskQueuePageTests(UiServerFixture fixture)
{
    [Fact]
    public async Task TaskQueue_BacklogWithoutWorker_ShowsCountAgeAndAddRate()
    {
        var taskQueue = $"web-backlog-{Guid.NewGuid():N}";
        var handles = new List<WorkflowHandle>();
        for (var i = 0; i < 2; i++)
        {
            handles.Add(await fixture.Client.StartWorkflowAsync((GreetingWorkflow wf) => wf.RunAsync("waiting"), new($"backlog-{Guid.NewGuid():N}", taskQueue)));
        }
        var page = await fixture.NewPageAsync();

        await page.GotoAsync($"/namespaces/default/task-queues/{taskQueue}");

        var workflow = page.Locator("table.stats tr[data-type=workflow]");
        await Expect(workflow.Locator(".backlog")).ToHaveTextAsync("2");
        await Expect(workflow.Locator(".backlog-age")).Not.ToHaveTextAsync("–"); // the age of the oldest of the two
        await Expect(workflow.Locator(".add-rate")).Not.ToHaveTextAsync("0");
        await Expect(workflow.Locator(".dispatch-rate")).ToHaveTextAsync("0");
        var activity = page.Locator("table.stats tr[data-type=activity]");
        await Expect(activity.Locator(".backlog")).ToHaveTextAsync("0");
        await Expect(activity.Locator(".backlog-age")).ToHaveTextAsync("–");
        await Expect(page.Locator("p.empty")).ToHaveCountAsync(2); // no worker on either side

        foreach (var handle in handles)
        {
            await handle.TerminateAsync("page checked");
        }
    }

    [Fact]
    public async Task TaskQueue_WorkerRanWorkflows_ShowsDispatchRateAndPollersPerType()
    {
        var handle = await fixture.Client.StartWorkflowAsync((GreetingWorkflow wf) => wf.RunAsync("rates"), new($"rates-{Guid.NewGuid():N}", fixture.TaskQueue));
        await handle.GetResultAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var page = await fixture.NewPageAsync();

        await page.GotoAsync($"/namespaces/default/task-queues/{fixture.TaskQueue}");

        await Expect(page.Locator("table.stats tr[data-type=workflow] .dispatch-rate")).Not.ToHaveTextAsync("0");
        await Expect(page.Locator("table.stats tr[data-type=workflow] .backlog")).ToHaveTextAsync("0");
        await Expect(page.Locator("section.card", new() { HasText = "Workflow workers" }).Locator("table.pollers")).ToContainTextAsync("@");
        await Expect(page.Locator("section.card", new() { HasText = "Activity workers" }).Locator("table.pollers")).ToContainTextAsync("@");
    }
}
