using System.Text.RegularExpressions;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Worker;
using static Microsoft.Playwright.Assertions;

namespace Tempora.Web.Tests;

/// <summary>
/// Nexus operations on a run's page in headless Chromium: a caller workflow in <c>default</c> calls a handler worker
/// in <see cref="UiServerFixture.NexusHandlerNamespace"/> through an endpoint, with the official SDK on both sides.
/// </summary>
[Collection(UiCollection.Name)]
public sealed class NexusOperationBrowserTests(UiServerFixture fixture)
{
    [Fact]
    public async Task RunPage_SyncAndWorkflowRunOperations_ShowsGistsTimelineAndLinksBetweenBothHistories()
    {
        var handlerQueue = $"nexus-handler-{Guid.NewGuid():N}";
        var endpoint = NexusEndpoints.NewName("ui-ops");
        await NexusEndpoints.CreateWorkerAsync(fixture, endpoint, handlerQueue, "greetings", UiServerFixture.NexusHandlerNamespace);
        var handlerClient = new TemporalClient(fixture.Client.Connection, new() { Namespace = UiServerFixture.NexusHandlerNamespace });
        using var handlerWorker = new TemporalWorker(handlerClient, new TemporalWorkerOptions(handlerQueue)
            .AddNexusService(new UiGreetingService())
            .AddWorkflow<NexusHandlerWorkflow>());
        var callerQueue = $"nexus-caller-{Guid.NewGuid():N}";
        using var callerWorker = new TemporalWorker(fixture.Client, new TemporalWorkerOptions(callerQueue).AddWorkflow<NexusCallerWorkflow>());
        var name = $"ui-{Guid.NewGuid():N}";

        var handle = await handlerWorker.ExecuteAsync(() => callerWorker.ExecuteAsync(async () =>
        {
            var h = await fixture.Client.StartWorkflowAsync((NexusCallerWorkflow wf) => wf.RunAsync(endpoint, name, 60),
                new($"nexus-caller-{Guid.NewGuid():N}", callerQueue));
            Assert.Equal($"Hello, {name} / Hello from a workflow, {name}", await h.GetResultAsync<string>().WaitAsync(TimeSpan.FromSeconds(60)));
            return h;
        }));
        var events = await handle.FetchHistoryAsync();
        var scheduled = events.Events.Where(e => e.EventType == EventType.NexusOperationScheduled).ToList();
        var started = events.Events.Single(e => e.EventType == EventType.NexusOperationStarted);
        var handlerRun = handlerClient.GetWorkflowHandle(UiGreetingService.HandlerWorkflowId(name));
        var handlerRunId = (await handlerRun.DescribeAsync()).RunId;
        var page = await fixture.NewPageAsync();

        await page.GotoAsync($"/namespaces/default/workflows/{handle.Id}/{handle.ResultRunId}/history");

        var scheduledEvents = page.Locator("li.ev-nexus:has(.ev-type:text-is('NexusOperationScheduled')) .ev-gist");
        await Expect(scheduledEvents).ToHaveTextAsync([$"{endpoint} / UiGreetingService / Greet(\"{name}\")", $"{endpoint} / UiGreetingService / GreetInWorkflow(\"{name}\")"]);
        var completed = page.Locator("li.ev-nexus:has(.ev-type:text-is('NexusOperationCompleted')) .ev-gist");
        await Expect(completed).ToHaveTextAsync([$"\"Hello, {name}\"", $"\"Hello from a workflow, {name}\""]);
        var startedEvent = page.Locator($"#event-{started.EventId}");
        await Expect(startedEvent.Locator(".ev-gist")).ToHaveTextAsync($"token {started.NexusOperationStartedEventAttributes.OperationToken}");
        await Expect(page.Locator(".timeline .tl-label")).ToContainTextAsync(["Nexus UiGreetingService/Greet", "Nexus UiGreetingService/GreetInWorkflow"]);
        await Expect(page.Locator(".timeline .tl-state").Last).ToContainTextAsync("Completed");

        // The Started event links to the handler's workflow, in its namespace…
        var forward = startedEvent.Locator("a.ev-link");
        await Expect(forward).ToHaveTextAsync($"→ {UiServerFixture.NexusHandlerNamespace}/{handlerRun.Id}");
        await forward.ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex(Regex.Escape($"/namespaces/{UiServerFixture.NexusHandlerNamespace}/workflows/{handlerRun.Id}/{handlerRunId}/history#event-1") + "$"));
        await Expect(page.Locator("h1.wf-title")).ToContainTextAsync(handlerRun.Id);
        // …whose Started event links back to the caller's Scheduled event, and whose callback reported its end.
        var back = page.Locator("#event-1 a.ev-link");
        await Expect(back).ToHaveCountAsync(1); // the SDK sends the link twice; one target is shown once
        await Expect(back).ToHaveTextAsync($"→ default/{handle.Id}");
        await Expect(page.Locator("table.callbacks td.callback-url")).ToHaveTextAsync("temporal://system");
        await Expect(page.Locator("table.callbacks td.callback-state")).ToHaveTextAsync("Succeeded");
        await back.ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex(Regex.Escape($"/namespaces/default/workflows/{handle.Id}/{handle.ResultRunId}/history#event-{scheduled[1].EventId}") + "$"));
    }

    [Fact]
    public async Task RunPage_OperationNobodyServes_ShowsItPendingAndBackingOffWithTheUpstreamTimeout()
    {
        var endpoint = NexusEndpoints.NewName("ui-nobody");
        await NexusEndpoints.CreateWorkerAsync(fixture, endpoint, $"nexus-nobody-{Guid.NewGuid():N}", "nobody polls this", UiServerFixture.NexusHandlerNamespace);
        var callerQueue = $"nexus-caller-{Guid.NewGuid():N}";
        using var callerWorker = new TemporalWorker(fixture.Client, new TemporalWorkerOptions(callerQueue).AddWorkflow<NexusCallerWorkflow>());

        await callerWorker.ExecuteAsync(async () =>
        {
            var handle = await fixture.Client.StartWorkflowAsync((NexusCallerWorkflow wf) => wf.RunAsync(endpoint, "nobody", 60),
                new($"nexus-pending-{Guid.NewGuid():N}", callerQueue));
            var page = await fixture.NewPageAsync();
            var path = $"/namespaces/default/workflows/{handle.Id}/{handle.ResultRunId}/history";

            // The first attempt waits the request timeout (10 s) for a handler before it fails with UPSTREAM_TIMEOUT; the
            // backoff after it is short (1 s, 2 s…), so the page is reloaded until it catches the operation backing off.
            var deadline = DateTime.UtcNow.AddSeconds(45);
            await page.GotoAsync(path);
            var state = page.Locator(".pending-nexus dd.nexus-state");
            while (await state.CountAsync() == 0 || await state.TextContentAsync() != "BackingOff")
            {
                Assert.True(DateTime.UtcNow < deadline, "the page never showed the operation backing off");
                await Task.Delay(200);
                await page.ReloadAsync();
            }

            var pending = page.Locator(".pending-nexus");
            await Expect(pending.Locator("h3")).ToContainTextAsync($"Nexus operation UiGreetingService/Greet endpoint {endpoint}");
            await Expect(pending.Locator("dd.nexus-attempt")).ToHaveTextAsync(new Regex("^[1-9][0-9]*$"));
            await Expect(pending.Locator("dd.nexus-next-attempt time")).ToHaveCountAsync(1);
            await Expect(pending.Locator("dl.summary")).ToContainTextAsync("1m"); // the schedule-to-close timeout
            await Expect(pending.Locator(".failure")).ToContainTextAsync("upstream timeout");
            await Expect(pending.Locator(".failure")).ToContainTextAsync("handler error type UPSTREAM_TIMEOUT");
            await Expect(page.Locator(".timeline .tl-state")).ToContainTextAsync(["Pending"]);
            await handle.TerminateAsync("test done");
        });
    }
}
