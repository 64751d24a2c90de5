using System.Text.RegularExpressions;
using static Microsoft.Playwright.Assertions;

namespace Tempora.Web.Tests;

/// <summary>The Nexus endpoint pages in headless Chromium, with endpoints created through the SDK's OperatorService.</summary>
[Collection(UiCollection.Name)]
public sealed class NexusBrowserTests(UiServerFixture fixture)
{
    [Fact]
    public async Task NexusList_TwoEndpoints_ShowsNamesTargetsAndCreatedTimes()
    {
        var workerName = NexusEndpoints.NewName("orders");
        var externalName = NexusEndpoints.NewName("billing");
        var taskQueue = $"nexus-{Guid.NewGuid():N}";
        var worker = await NexusEndpoints.CreateWorkerAsync(fixture, workerName, taskQueue, "Orders service");
        var external = await NexusEndpoints.CreateExternalAsync(fixture, externalName, "https://billing.example.com/nexus");
        var page = await fixture.NewPageAsync();

        await page.GotoAsync("/namespaces/default/workflows");
        await page.ClickAsync("header nav a:text-is('Nexus')");

        await Expect(page).ToHaveURLAsync(new Regex("/nexus$"));
        await Expect(page.Locator("h1")).ToHaveTextAsync("Nexus endpoints");
        var workerRow = page.Locator("table.nexus-endpoints tr", new() { Has = page.Locator($"a:text-is('{workerName}')") });
        await Expect(workerRow.Locator("td.target")).ToHaveTextAsync($"default / {taskQueue}");
        await Expect(workerRow.Locator("td.target a").Last).ToHaveAttributeAsync("href", $"/namespaces/default/task-queues/{taskQueue}");
        await Expect(workerRow.Locator("time")).ToHaveAttributeAsync("datetime", Iso(worker.CreatedTime));
        var externalRow = page.Locator("table.nexus-endpoints tr", new() { Has = page.Locator($"a:text-is('{externalName}')") });
        await Expect(externalRow.Locator("td.target")).ToHaveTextAsync("https://billing.example.com/nexus");
        await Expect(externalRow.Locator("td.target a")).ToHaveCountAsync(0); // an operator's URL is text, not a link
        await Expect(externalRow.Locator("time")).ToHaveAttributeAsync("datetime", Iso(external.CreatedTime));
    }

    [Fact]
    public async Task NexusDetail_WorkerTarget_ShowsEveryField()
    {
        var name = NexusEndpoints.NewName("detail");
        var taskQueue = $"nexus-{Guid.NewGuid():N}";
        var endpoint = await NexusEndpoints.CreateWorkerAsync(fixture, name, taskQueue, "Orders service <b>v2</b>");
        var page = await fixture.NewPageAsync();

        await page.GotoAsync("/nexus");
        await page.ClickAsync($"table.nexus-endpoints a:text-is('{name}')");

        await Expect(page).ToHaveURLAsync(new Regex($"/nexus/{endpoint.Id}$"));
        await Expect(page.Locator("h1 .endpoint-name")).ToHaveTextAsync(name);
        await Expect(page.Locator("dd.endpoint-id")).ToHaveTextAsync(endpoint.Id);
        await Expect(page.Locator("dd.target-namespace")).ToHaveTextAsync("default");
        await Expect(page.Locator("dd.target-task-queue a")).ToHaveAttributeAsync("href", $"/namespaces/default/task-queues/{taskQueue}");
        await Expect(page.Locator("dd.version")).ToHaveTextAsync("1");
        await Expect(page.Locator("dd.created time")).ToHaveAttributeAsync("datetime", Iso(endpoint.CreatedTime));
        await Expect(page.Locator("dd.modified")).ToHaveTextAsync("–"); // never updated
        await Expect(page.Locator(".description pre.payload")).ToHaveTextAsync("\"Orders service <b>v2</b>\""); // as text, not markup
        await Expect(page.Locator(".description b")).ToHaveCountAsync(0);
        await Expect(page.Locator("dl.summary")).ToContainTextAsync($"/nexus/endpoints/{endpoint.Id}/services");

        await page.ClickAsync(".crumbs a:text-is('Nexus endpoints')");
        await Expect(page).ToHaveURLAsync(new Regex("/nexus$"));
    }

    [Fact]
    public async Task NexusDetail_ExternalTarget_ShowsUrlAndNoDescription()
    {
        var name = NexusEndpoints.NewName("external");
        var endpoint = await NexusEndpoints.CreateExternalAsync(fixture, name, "https://billing.example.com/nexus?x=<y>");
        var page = await fixture.NewPageAsync();

        await page.GotoAsync($"/nexus/{endpoint.Id}");

        await Expect(page.Locator("dd.target-url")).ToHaveTextAsync("https://billing.example.com/nexus?x=<y>");
        await Expect(page.Locator("dd.target-namespace")).ToHaveCountAsync(0);
        await Expect(page.Locator(".description")).ToHaveTextAsync("none");
    }

    [Theory]
    [InlineData("3c7a4b1e-0f7e-4a8e-9a53-6d2b5b0f2a11")] // a UUID no endpoint has
    [InlineData("not-a-uuid")] // refused by the server as malformed: no endpoint has it either
    public async Task NexusDetail_UnknownId_ShowsNotFoundPage(string id)
    {
        var page = await fixture.NewPageAsync();

        var edit = await page.GotoAsync($"/nexus/{id}/edit") ?? throw new InvalidOperationException("no response");
        Assert.Equal(404, edit.Status);
        var response = await page.GotoAsync($"/nexus/{id}") ?? throw new InvalidOperationException("no response");

        Assert.Equal(404, response.Status);
        await Expect(page.Locator("h1")).ToHaveTextAsync("Not found");
        await Expect(page.Locator(".error")).ToContainTextAsync(id);
        await Expect(page.Locator("header nav a:text-is('Nexus')")).ToHaveAttributeAsync("href", "/nexus");
    }

    [Fact]
    public async Task NexusPages_InChromium_CarryHeadersAndTripNoPolicy()
    {
        var endpoint = await NexusEndpoints.CreateWorkerAsync(fixture, NexusEndpoints.NewName("csp"), "nexus-csp", "csp");
        var page = await fixture.NewPageAsync();
        var violations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && (message.Text.Contains("Content Security Policy", StringComparison.Ordinal) || message.Text.StartsWith("Refused to", StringComparison.Ordinal)))
            {
                violations.Add($"{page.Url}: {message.Text}");
            }
        };

        foreach (var path in new[] { "/nexus", $"/nexus/{endpoint.Id}", $"/nexus/{Guid.NewGuid()}", "/nexus/create", $"/nexus/{endpoint.Id}/edit" })
        {
            var response = await page.GotoAsync(path) ?? throw new InvalidOperationException($"no response for {path}");
            SecurityHeaderTests.AssertSecurityHeaders(path, await response.AllHeadersAsync());
        }

        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
    }

    /// <summary>A time as the pages write it in datetime="…" (UTC, round-trip format).</summary>
    private static string Iso(Google.Protobuf.WellKnownTypes.Timestamp time) =>
        time.ToDateTimeOffset().UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
}
