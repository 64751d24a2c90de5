using Microsoft.Playwright;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;

namespace Tempora.Web.Tests;

/// <summary>The UI login in Chromium against a real OpenID Connect provider on loopback.</summary>
[Collection(UiLoginCollection.Name)]
public sealed class LoginBrowserTests(UiLoginFixture fixture)
{
    [Fact]
    public async Task Page_NotSignedIn_GoesToProviderLoginThenBackToThePage()
    {
        var page = await fixture.NewPageAsync();

        await fixture.SignInAsync(page, "reader");

        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync("Workflows");
        await Assertions.Expect(page.Locator("header .user")).ToHaveTextAsync("reader");
        var session = (await page.Context.CookiesAsync([fixture.UiBase.ToString()])).Where(c => c.Name.StartsWith("tempora-session", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(session);
        Assert.All(session, cookie =>
        {
            Assert.True(cookie.Secure, $"{cookie.Name} is not Secure");
            Assert.True(cookie.HttpOnly, $"{cookie.Name} is not HttpOnly");
            Assert.Equal(SameSiteAttribute.Lax, cookie.SameSite);
        });
    }

    [Fact]
    public async Task Terminate_SignedIn_NeedsTheFormsAntiforgeryToken()
    {
        var handle = await fixture.Client.StartWorkflowAsync((AwaitSignalWorkflow wf) => wf.RunAsync(),
            new WorkflowOptions($"login-terminate-{Guid.NewGuid():N}", fixture.TaskQueue));
        var runPath = $"/namespaces/default/workflows/{handle.Id}/{handle.ResultRunId}/history";
        var page = await fixture.NewPageAsync();
        await fixture.SignInAsync(page, "writer", runPath);

        // The session cookie goes along (same origin), the token does not.
        var forged = await page.Context.APIRequest.PostAsync(runPath.Replace("/history", "/terminate", StringComparison.Ordinal),
            new APIRequestContextOptions { Form = page.Context.APIRequest.CreateFormData().Set("reason", "no token"), MaxRedirects = 0 });
        Assert.Equal(400, forged.Status);
        Assert.Equal(WorkflowExecutionStatus.Running, (await handle.DescribeAsync()).Status);

        await page.Locator("summary", new() { HasText = "Terminate" }).ClickAsync();
        await page.FillAsync("form[action$='/terminate'] input[name=reason]", "signed in");
        await page.ClickAsync("form[action$='/terminate'] button[type=submit]");
        await Assertions.Expect(page.Locator("h1 .status")).ToHaveTextAsync("Terminated");
        Assert.Equal(WorkflowExecutionStatus.Terminated, (await handle.DescribeAsync()).Status);
    }

    [Fact]
    public async Task Login_FromAPathNamingAnotherHost_ReturnsToThisSite()
    {
        var page = await fixture.NewPageAsync();
        // GET //evil.example/x has the path "//evil.example/x": a redirect back to it would leave for that host.
        await page.GotoAsync(new Uri(fixture.UiBase, "/").ToString().TrimEnd('/') + "//evil.example/x");
        await page.FillAsync("input[name=login]", "reader");
        await page.FillAsync("input[name=password]", "any password");
        await page.ClickAsync("button[type=submit]");

        await page.WaitForURLAsync(new Uri(fixture.UiBase, "/namespaces/default/workflows").ToString());
    }

    [Fact]
    public async Task SignOut_EndsTheSessionHereAndAtTheProvider()
    {
        var page = await fixture.NewPageAsync();
        await fixture.SignInAsync(page, "reader");

        await page.ClickAsync("header form.logout button");
        // The provider asks before it ends its own session.
        await page.ClickAsync("button[name=logout]");
        await page.WaitForURLAsync(new Uri(fixture.UiBase, "/auth/signed-out").ToString());
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Signed out");

        Assert.DoesNotContain(await page.Context.CookiesAsync([fixture.UiBase.ToString()]), c => c.Name.StartsWith("tempora-session", StringComparison.Ordinal));
        await page.GotoAsync("/namespaces/default/workflows");
        Assert.StartsWith(fixture.Provider.Issuer.GetLeftPart(UriPartial.Authority), page.Url, StringComparison.Ordinal);
        await Assertions.Expect(page.Locator("input[name=login]")).ToBeVisibleAsync();
    }
}
