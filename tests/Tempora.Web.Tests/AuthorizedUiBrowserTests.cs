using Microsoft.Playwright;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;

namespace Tempora.Web.Tests;

/// <summary>A signed-in user's token reaches the frontend: a reader sees the workflows and cannot terminate; a writer can.</summary>
[Collection(UiAuthorizationCollection.Name)]
public sealed class AuthorizedUiBrowserTests(UiAuthorizationFixture fixture)
{
    [Fact]
    public async Task Terminate_Reader_IsRefusedAsNotAllowedAndChangesNothing()
    {
        var handle = await StartAsync("reader");
        var page = await fixture.NewPageAsync();
        await fixture.SignInAsync(page, "reader");
        await Assertions.Expect(page.Locator("table")).ToContainTextAsync(handle.Id);

        await page.GotoAsync(RunPath(handle));
        await TerminateAsync(page);

        await Assertions.Expect(page.Locator("p.error")).ToHaveTextAsync("Not allowed: Request unauthorized.");
        await Assertions.Expect(page.Locator("h1 .status")).ToHaveTextAsync("Running");
        Assert.Equal(WorkflowExecutionStatus.Running, (await handle.DescribeAsync()).Status);
        await handle.TerminateAsync("test done");
    }

    [Fact]
    public async Task Terminate_Writer_TerminatesTheRun()
    {
        var handle = await StartAsync("writer");
        var page = await fixture.NewPageAsync();
        await fixture.SignInAsync(page, "writer", RunPath(handle));

        await TerminateAsync(page);

        await Assertions.Expect(page.Locator("h1 .status")).ToHaveTextAsync("Terminated");
        Assert.Equal(WorkflowExecutionStatus.Terminated, (await handle.DescribeAsync()).Status);
    }

    [Fact]
    public async Task SetCurrentVersion_Reader_IsRefusedAsNotAllowedAndChangesNothing()
    {
        var name = DeploymentVersions.NewDeploymentName("authz");
        await DeploymentVersions.RegisterAsync(fixture.Client, name, "v1", $"authz-{Guid.NewGuid():N}");
        var page = await fixture.NewPageAsync();
        await fixture.SignInAsync(page, "reader", $"/namespaces/default/worker-deployments/{name}");

        await page.Locator("summary", new() { HasText = "Set current version" }).ClickAsync();
        await page.SelectOptionAsync("form.set-current select[name=build-id]", "v1");
        await page.ClickAsync("form.set-current button[type=submit]");

        await Assertions.Expect(page.Locator("p.error")).ToHaveTextAsync("Not allowed: Request unauthorized.");
        await Assertions.Expect(page.Locator("dd.current-version")).ToHaveTextAsync("unversioned");
        Assert.Null((await DeploymentVersions.DescribeAsync(fixture.Client, name)).WorkerDeploymentInfo.RoutingConfig.CurrentDeploymentVersion);
    }

    private static string RunPath(WorkflowHandle handle) => $"/namespaces/default/workflows/{handle.Id}/{handle.ResultRunId}/history";

    private static async Task TerminateAsync(IPage page)
    {
        await page.Locator("summary", new() { HasText = "Terminate" }).ClickAsync();
        await page.FillAsync("form[action$='/terminate'] input[name=reason]", "from the UI");
        await page.ClickAsync("form[action$='/terminate'] button[type=submit]");
    }

    private async Task<WorkflowHandle> StartAsync(string who)
    {
        var handle = await fixture.Client.StartWorkflowAsync((AwaitSignalWorkflow wf) => wf.RunAsync(),
            new WorkflowOptions($"authz-{who}-{Guid.NewGuid():N}", fixture.TaskQueue));
        // The list reads visibility, which follows the start.
        for (var i = 0; i < 100 && await fixture.Client.CountWorkflowsAsync($"WorkflowId = '{handle.Id}'") is { Count: 0 }; i++)
        {
            await Task.Delay(100);
        }
        return handle;
    }
}

/// <summary>With useIdTokenAsBearer the ID token (its permissions claim) is what the frontend authorizes.</summary>
[Collection(UiIdTokenAuthorizationCollection.Name)]
public sealed class IdTokenBearerBrowserTests(UiIdTokenAuthorizationFixture fixture)
{
    [Fact]
    public async Task Terminate_WriterWithIdTokenAsBearer_TerminatesTheRun()
    {
        var handle = await fixture.Client.StartWorkflowAsync((AwaitSignalWorkflow wf) => wf.RunAsync(),
            new WorkflowOptions($"authz-id-token-{Guid.NewGuid():N}", fixture.TaskQueue));
        var runPath = $"/namespaces/default/workflows/{handle.Id}/{handle.ResultRunId}/history";
        var page = await fixture.NewPageAsync();
        await fixture.SignInAsync(page, "writer", runPath);

        await page.Locator("summary", new() { HasText = "Terminate" }).ClickAsync();
        await page.ClickAsync("form[action$='/terminate'] button[type=submit]");

        await Assertions.Expect(page.Locator("h1 .status")).ToHaveTextAsync("Terminated");
        Assert.Equal(WorkflowExecutionStatus.Terminated, (await handle.DescribeAsync()).Status);
    }
}
