using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Common;
using static Microsoft.Playwright.Assertions;
using ApiOverride = Temporalio.Api.Workflow.V1.VersioningOverride;

namespace Tempora.Web.Tests;

/// <summary>A run's versioning on its page: an override given at start, then changed with UpdateWorkflowExecutionOptions.</summary>
[Collection(UiCollection.Name)]
public sealed class RunVersioningBrowserTests(UiServerFixture fixture)
{
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
