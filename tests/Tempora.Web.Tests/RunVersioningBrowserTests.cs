using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Common;
using Temporalio.Worker;
using static Microsoft.Playwright.Assertions;
using ApiOverride = Temporalio.Api.Workflow.V1.VersioningOverride;

namespace Tempora.Web.Tests;

/// <summary>A run's versioning on its page: its version and reset point, an override given at start, then changed with
/// UpdateWorkflowExecutionOptions.</summary>
[Collection(UiCollection.Name)]
public sealed class RunVersioningBrowserTests(UiServerFixture fixture)
{
    [Fact]
    public async Task RunPage_RunOnAVersionedWorker_ShowsBehaviorVersionAndTheCompletedTasksGist()
    {
        var name = DeploymentVersions.NewDeploymentName("worker");
        var taskQueue = $"deploy-{Guid.NewGuid():N}";
        var options = new TemporalWorkerOptions(taskQueue)
        {
            DeploymentOptions = new WorkerDeploymentOptions(new WorkerDeploymentVersion(name, "v1"), useWorkerVersioning: true)
            {
                DefaultVersioningBehavior = VersioningBehavior.Pinned,
            },
        }.AddWorkflow<GreetingWorkflow>().AddAllActivities(typeof(GreetingActivities), null);
        using var worker = new TemporalWorker(fixture.Client, options);
        await worker.ExecuteAsync(async () =>
        {
            // The worker's polls register v1; new workflows go to it once it is current.
            await DeploymentVersions.WaitForVersionAsync(fixture.Client, name, "v1");
            var token = (await DeploymentVersions.DescribeAsync(fixture, name)).ConflictToken;
            await fixture.Client.Connection.WorkflowService.SetWorkerDeploymentCurrentVersionAsync(new()
            {
                Namespace = "default",
                DeploymentName = name,
                BuildId = "v1",
                ConflictToken = token,
                Identity = "web-ui-test",
            });
            var handle = await fixture.Client.StartWorkflowAsync((GreetingWorkflow wf) => wf.RunAsync("versions"),
                new WorkflowOptions($"on-worker-{Guid.NewGuid():N}", taskQueue));
            Assert.Equal("Hello, versions", await handle.GetResultAsync().WaitAsync(TimeSpan.FromSeconds(30)));
            var page = await fixture.NewPageAsync();

            await page.GotoAsync($"/namespaces/default/workflows/{handle.Id}/{handle.ResultRunId}/history");

            await Expect(page.Locator("dd.versioning-behavior")).ToHaveTextAsync("Pinned");
            await Expect(page.Locator("dd.deployment-version")).ToHaveTextAsync($"{name}.v1");
            await Expect(page.Locator("dd.worker-deployment")).ToHaveTextAsync(name);
            var completed = page.Locator("li.event", new() { Has = page.Locator(".ev-type:text-is('WorkflowTaskCompleted')") });
            await Expect(completed.First.Locator(".ev-gist")).ToHaveTextAsync($"Pinned on {name}.v1");
            // The run's one reset point: v1's first completed task, linked to its event.
            var point = page.Locator("table.reset-points tbody tr");
            await Expect(point).ToHaveCountAsync(1);
            await Expect(point.Locator("td").First).ToHaveTextAsync("v1");
            var firstCompleted = await completed.First.GetAttributeAsync("id");
            await Expect(point.Locator("a")).ToHaveAttributeAsync("href", $"#{firstCompleted}");
        });
    }

    [Fact]
    public async Task RunPage_PinnedOverrideThenAutoUpgrade_ShowsOverrideAndTheOptionsEvent()
    {
        var name = DeploymentVersions.NewDeploymentName("run");
        var taskQueue = $"deploy-{Guid.NewGuid():N}";
        await DeploymentVersions.RegisterAsync(fixture, name, "v1", taskQueue);
        var handle = await fixture.Client.StartWorkflowAsync((AwaitSignalWorkflow wf) => wf.RunAsync(),
            new WorkflowOptions($"versioned-{Guid.NewGuid():N}", taskQueue)
            {
                VersioningOverride = new VersioningOverride.Pinned(new WorkerDeploymentVersion(name, "v1")),
            });
        try
        {
            var page = await fixture.NewPageAsync();
            await page.GotoAsync($"/namespaces/default/workflows/{handle.Id}/{handle.ResultRunId}/history");

            await Expect(page.Locator("dd.versioning-override")).ToHaveTextAsync($"Pinned to {name}.v1");
            await Expect(page.Locator("dd.worker-deployment a")).ToHaveAttributeAsync("href", $"/namespaces/default/worker-deployments/{name}");

            await fixture.Client.Connection.WorkflowService.UpdateWorkflowExecutionOptionsAsync(new UpdateWorkflowExecutionOptionsRequest
            {
                Namespace = "default",
                WorkflowExecution = new Temporalio.Api.Common.V1.WorkflowExecution { WorkflowId = handle.Id, RunId = handle.ResultRunId },
                WorkflowExecutionOptions = new() { VersioningOverride = new ApiOverride { AutoUpgrade = true } },
                UpdateMask = new() { Paths = { "versioning_override" } },
                Identity = "web-ui-test",
            });
            await page.ReloadAsync();

            await Expect(page.Locator("dd.versioning-override")).ToHaveTextAsync("Auto-upgrade");
            var updated = page.Locator("li.event", new() { Has = page.Locator(".ev-type:text-is('WorkflowExecutionOptionsUpdated')") });
            await Expect(updated.Locator(".ev-gist")).ToHaveTextAsync("versioning override: Auto-upgrade");
        }
        finally
        {
            await handle.TerminateAsync("test done");
        }
    }
}
