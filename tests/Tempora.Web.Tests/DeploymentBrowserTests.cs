using System.Text.RegularExpressions;
using Temporalio.Api.WorkflowService.V1;
using static Microsoft.Playwright.Assertions;

namespace Tempora.Web.Tests;

/// <summary>
/// The worker deployment pages in headless Chromium against a real server, with versions registered by versioned
/// polls (<see cref="DeploymentVersions"/>) and the routing checked through the SDK's DescribeWorkerDeployment.
/// </summary>
[Collection(UiCollection.Name)]
public sealed class DeploymentBrowserTests(UiServerFixture fixture)
{
    [Fact]
    public async Task Deployments_RegisteredByPolls_AreListedAndOpened()
    {
        var name = DeploymentVersions.NewDeploymentName("orders");
        var taskQueue = $"deploy-{Guid.NewGuid():N}";
        await DeploymentVersions.RegisterAsync(fixture, name, "v1", taskQueue);
        await DeploymentVersions.RegisterAsync(fixture, name, "v2", taskQueue);
        var page = await fixture.NewPageAsync();

        await page.GotoAsync("/namespaces/default/workflows");
        await page.ClickAsync("header nav a:text-is('Deployments')");

        await Expect(page).ToHaveURLAsync(new Regex("/namespaces/default/worker-deployments$"));
        var row = page.Locator($"table.deployments tr[data-deployment='{name}']");
        await Expect(row.Locator("td.current")).ToHaveTextAsync("unversioned");
        await Expect(row.Locator("td.ramping")).ToHaveTextAsync("none");
        await Expect(row.Locator("td.latest")).ToHaveTextAsync($"{name}.v2");

        await row.Locator($"a:text-is('{name}')").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/worker-deployments/{name}$"));
        await Expect(page.Locator("h1 .deployment-name")).ToHaveTextAsync(name);
        await Expect(page.Locator("dd.current-version")).ToHaveTextAsync("unversioned");
        await Expect(page.Locator("table.versions tr[data-build-id='v1'] .version-status")).ToHaveTextAsync("Inactive");
        await Expect(page.Locator("table.versions tr[data-build-id='v2'] .version-status")).ToHaveTextAsync("Inactive");

        await page.ClickAsync("table.versions a:text-is('v1')");
        await Expect(page).ToHaveURLAsync(new Regex($"/worker-deployments/{name}/version/v1$"));
        await Expect(page.Locator("dd.version-string")).ToHaveTextAsync($"{name}.v1");
        await Expect(page.Locator("dd.version-status")).ToHaveTextAsync("Inactive");
        var queueRow = page.Locator("table.task-queues tr", new() { Has = page.Locator($"a:text-is('{taskQueue}')") });
        await Expect(queueRow.Locator("td").Last).ToHaveTextAsync("Workflow");
        await Expect(queueRow.Locator("a")).ToHaveAttributeAsync("href", $"/namespaces/default/task-queues/{taskQueue}");
    }

    [Fact]
    public async Task SetCurrentThenRamp_FromTheForms_ChangeTheRouting()
    {
        var name = DeploymentVersions.NewDeploymentName("ramp");
        var taskQueue = $"deploy-{Guid.NewGuid():N}";
        await DeploymentVersions.RegisterAsync(fixture, name, "v1", taskQueue);
        await DeploymentVersions.RegisterAsync(fixture, name, "v2", taskQueue);
        var page = await fixture.NewPageAsync();
        await page.GotoAsync($"/namespaces/default/worker-deployments/{name}");

        await page.ClickAsync("summary:text-is('Set current version')");
        await page.SelectOptionAsync("form.set-current select[name=build-id]", "v1");
        await page.ClickAsync("form.set-current button[type=submit]");

        await Expect(page.Locator(".notice")).ToHaveTextAsync("Current version set.");
        await Expect(page.Locator("dd.current-version")).ToHaveTextAsync($"{name}.v1");
        await Expect(page.Locator("table.versions tr[data-build-id='v1'] .version-status")).ToHaveTextAsync("Current");
        var afterCurrent = (await DeploymentVersions.DescribeAsync(fixture, name)).WorkerDeploymentInfo;
        Assert.Equal("v1", afterCurrent.RoutingConfig.CurrentDeploymentVersion?.BuildId);
        Assert.Equal("tempora-web-ui", afterCurrent.LastModifierIdentity);

        await page.ClickAsync("summary:text-is('Set ramping version')");
        await page.SelectOptionAsync("form.set-ramping select[name=build-id]", "v2");
        await page.FillAsync("form.set-ramping input[name=percentage]", "30");
        await page.ClickAsync("form.set-ramping button[type=submit]");

        await Expect(page.Locator(".notice")).ToHaveTextAsync("Ramping version set.");
        await Expect(page.Locator("dd.ramping-version")).ToHaveTextAsync($"{name}.v2 at 30%");
        await Expect(page.Locator("table.versions tr[data-build-id='v2'] .version-status")).ToHaveTextAsync("Ramping");
        var afterRamp = (await DeploymentVersions.DescribeAsync(fixture, name)).WorkerDeploymentInfo.RoutingConfig;
        Assert.Equal(("v1", "v2", 30f), (afterRamp.CurrentDeploymentVersion?.BuildId, afterRamp.RampingDeploymentVersion?.BuildId, afterRamp.RampingVersionPercentage));

        await page.ClickAsync("summary:text-is('Set ramping version')");
        await page.ClickAsync("form.stop-ramping button[type=submit]");

        await Expect(page.Locator(".notice")).ToHaveTextAsync("Ramp stopped.");
        await Expect(page.Locator("dd.ramping-version")).ToHaveTextAsync("none");
        var afterStop = (await DeploymentVersions.DescribeAsync(fixture, name)).WorkerDeploymentInfo.RoutingConfig;
        Assert.Null(afterStop.RampingDeploymentVersion);
        Assert.Equal("v1", afterStop.CurrentDeploymentVersion?.BuildId);
    }

    [Fact]
    public async Task SetCurrent_AfterAConcurrentChange_ShowsTheServersRefusalAndChangesNothing()
    {
        var name = DeploymentVersions.NewDeploymentName("race");
        var taskQueue = $"deploy-{Guid.NewGuid():N}";
        await DeploymentVersions.RegisterAsync(fixture, name, "v1", taskQueue);
        await DeploymentVersions.RegisterAsync(fixture, name, "v2", taskQueue);
        var page = await fixture.NewPageAsync();
        await page.GotoAsync($"/namespaces/default/worker-deployments/{name}");

        // Someone else sets the current version after the page was read, with the token of their own describe.
        var token = (await DeploymentVersions.DescribeAsync(fixture, name)).ConflictToken;
        await fixture.Client.Connection.WorkflowService.SetWorkerDeploymentCurrentVersionAsync(new SetWorkerDeploymentCurrentVersionRequest
        {
            Namespace = "default",
            DeploymentName = name,
            BuildId = "v1",
            ConflictToken = token,
            Identity = "someone-else",
        });
        await page.ClickAsync("summary:text-is('Set current version')");
        await page.SelectOptionAsync("form.set-current select[name=build-id]", "v2");
        await page.ClickAsync("form.set-current button[type=submit]");

        await Expect(page.Locator(".error")).ToContainTextAsync("conflict token mismatch");
        await Expect(page.Locator("dd.current-version")).ToHaveTextAsync($"{name}.v1"); // the page shows what is now
        await Expect(page.Locator("form.set-current select[name=build-id]")).ToHaveValueAsync("v2"); // the choice is kept
        var info = (await DeploymentVersions.DescribeAsync(fixture, name)).WorkerDeploymentInfo;
        Assert.Equal(("v1", "someone-else"), (info.RoutingConfig.CurrentDeploymentVersion?.BuildId, info.LastModifierIdentity));
    }

    [Fact]
    public async Task DeleteDeployment_WithVersions_ShowsTheServersRefusal()
    {
        var name = DeploymentVersions.NewDeploymentName("keep");
        await DeploymentVersions.RegisterAsync(fixture, name, "v1", $"deploy-{Guid.NewGuid():N}");
        var page = await fixture.NewPageAsync();
        await page.GotoAsync($"/namespaces/default/worker-deployments/{name}");

        await page.ClickAsync("summary:text-is('Delete deployment')");
        await page.ClickAsync("form.delete-deployment button[type=submit]");

        await Expect(page.Locator(".error")).ToContainTextAsync("deployment has versions");
        await DeploymentVersions.DescribeAsync(fixture, name); // still there
    }

    [Fact]
    public async Task DeleteVersion_StillPolled_ShowsTheServersRefusalOnTheVersionsPage()
    {
        var name = DeploymentVersions.NewDeploymentName("polled");
        await DeploymentVersions.RegisterAsync(fixture, name, "v1", $"deploy-{Guid.NewGuid():N}");
        var page = await fixture.NewPageAsync();
        await page.GotoAsync($"/namespaces/default/worker-deployments/{name}/version/v1");

        await page.ClickAsync("summary:text-is('Delete version')");
        await page.ClickAsync("form.delete-version button[type=submit]");

        // Its worker polled moments ago: the server keeps the version, and the page says why.
        await Expect(page.Locator(".error")).ToContainTextAsync("Version cannot be deleted since it has active pollers.");
        await Expect(page.Locator("dd.version-string")).ToHaveTextAsync($"{name}.v1");
        var info = (await DeploymentVersions.DescribeAsync(fixture, name)).WorkerDeploymentInfo;
        Assert.Contains(info.VersionSummaries, v => v.DeploymentVersion?.BuildId == "v1");
    }

    [Fact]
    public async Task UnknownDeploymentAndVersion_AreNotFoundPages()
    {
        var page = await fixture.NewPageAsync();

        var deployment = await page.GotoAsync($"/namespaces/default/worker-deployments/{DeploymentVersions.NewDeploymentName("none")}")
            ?? throw new InvalidOperationException("no response");
        Assert.Equal(404, deployment.Status);
        await Expect(page.Locator(".error")).ToContainTextAsync("Worker Deployment not found");

        var version = await page.GotoAsync($"/namespaces/default/worker-deployments/{DeploymentVersions.NewDeploymentName("none")}/version/v9")
            ?? throw new InvalidOperationException("no response");
        Assert.Equal(404, version.Status);
        await Expect(page.Locator(".error")).ToContainTextAsync("Worker Deployment Version not found");
    }

    [Fact]
    public async Task DeploymentPages_InChromium_CarryHeadersAndTripNoPolicy()
    {
        var name = DeploymentVersions.NewDeploymentName("csp");
        await DeploymentVersions.RegisterAsync(fixture, name, "v1", $"deploy-{Guid.NewGuid():N}");
        var page = await fixture.NewPageAsync();
        var violations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && (message.Text.Contains("Content Security Policy", StringComparison.Ordinal) || message.Text.StartsWith("Refused to", StringComparison.Ordinal)))
            {
                violations.Add($"{page.Url}: {message.Text}");
            }
        };

        foreach (var path in new[] { "/namespaces/default/worker-deployments", $"/namespaces/default/worker-deployments/{name}", $"/namespaces/default/worker-deployments/{name}/version/v1" })
        {
            var response = await page.GotoAsync(path) ?? throw new InvalidOperationException($"no response for {path}");
            Assert.Equal(200, response.Status);
            SecurityHeaderTests.AssertSecurityHeaders(path, await response.AllHeadersAsync());
        }

        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
    }
}
