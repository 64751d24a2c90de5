using static Microsoft.Playwright.Assertions;

namespace Tempora.Web.Tests;

/// <summary>The deployment pages of a server that does not serve the deployment RPCs (they answer Unimplemented).</summary>
[Collection(UiCollection.Name)]
public sealed class DeploymentUnimplementedBrowserTests(UiServerFixture fixture)
{
    [Fact]
    public async Task Deployments_ServerAnswersUnimplemented_SaysSoInWords()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/namespaces/default/workflows");
        await Expect(page.Locator("header nav a:text-is('Deployments')")).ToHaveAttributeAsync("href", "/namespaces/default/worker-deployments");

        var response = await page.GotoAsync("/namespaces/default/worker-deployments");

        Assert.Equal(501, response?.Status);
        await Expect(page.Locator("h1")).ToHaveTextAsync("Worker deployments");
        await Expect(page.Locator(".unimplemented")).ToContainTextAsync("This server does not serve worker deployments: it answered Unimplemented");
        var deployment = await page.GotoAsync("/namespaces/default/worker-deployments/orders");
        Assert.Equal(501, deployment?.Status);
        await Expect(page.Locator(".unimplemented")).ToBeVisibleAsync();
    }
}
