using System.Text.RegularExpressions;
using Temporalio.Api.OperatorService.V1;
using static Microsoft.Playwright.Assertions;

namespace Tempora.Web.Tests;

/// <summary>Creating, editing and deleting Nexus endpoints from the UI's forms, checked through the SDK's OperatorService.</summary>
[Collection(UiCollection.Name)]
public sealed class NexusEndpointFormBrowserTests(UiServerFixture fixture)
{
    private const string HostileDescription = "Orders <script>document.title='pwned'</script> & more";

    [Fact]
    public async Task CreateEditDelete_FromTheForms_ChangesTheEndpoint()
    {
        var name = NexusEndpoints.NewName("form");
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/nexus");

        // Create, from the list's link.
        await page.ClickAsync("a.create-endpoint");
        await Expect(page).ToHaveURLAsync(new Regex("/nexus/create$"));
        await page.FillAsync("input[name=name]", name);
        await page.FillAsync("textarea[name=description]", HostileDescription);
        await page.FillAsync("input[name=namespace]", UiServerFixture.NexusHandlerNamespace);
        await page.FillAsync("input[name=task-queue]", "orders");
        await page.ClickAsync("button[type=submit]");

        await Expect(page.Locator(".notice")).ToHaveTextAsync("Endpoint created.");
        var id = await page.Locator("dd.endpoint-id").TextContentAsync() ?? "";
        await Expect(page).ToHaveURLAsync(new Regex($"/nexus/{id}\\?done=create$"));
        await Expect(page.Locator("dd.target-namespace")).ToHaveTextAsync(UiServerFixture.NexusHandlerNamespace);
        await Expect(page.Locator("dd.target-task-queue")).ToHaveTextAsync("orders");
        await Expect(page.Locator(".description pre.payload")).ToHaveTextAsync($"\"{HostileDescription}\""); // as text, not markup
        await Expect(page.Locator("script:text('pwned')")).ToHaveCountAsync(0);
        Assert.NotEqual("pwned", await page.TitleAsync());
        var created = (await GetAsync(id)).Endpoint;
        Assert.Equal((name, 1L, UiServerFixture.NexusHandlerNamespace, "orders"),
            (created.Spec.Name, created.Version, created.Spec.Target.Worker.Namespace, created.Spec.Target.Worker.TaskQueue));
        Assert.Equal(HostileDescription, System.Text.Json.JsonSerializer.Deserialize<string>(created.Spec.Description.Data.Span));

        // Edit: the form holds what the endpoint has, and saving sends the version it was read at.
        await page.ClickAsync("a.edit-endpoint");
        await Expect(page).ToHaveURLAsync(new Regex($"/nexus/{id}/edit$"));
        await Expect(page.Locator("input[name=name]")).ToHaveValueAsync(name);
        await Expect(page.Locator("textarea[name=description]")).ToHaveValueAsync(HostileDescription);
        await Expect(page.Locator("input[name=version]")).ToHaveValueAsync("1");
        await page.CheckAsync("input[name=target][value=external]");
        await page.FillAsync("input[name=url]", "https://orders.example.com/nexus");
        await page.FillAsync("textarea[name=description]", "Orders, now external");
        await page.ClickAsync("button[type=submit]");

        await Expect(page.Locator(".notice")).ToHaveTextAsync("Endpoint saved.");
        await Expect(page.Locator("dd.target-url")).ToHaveTextAsync("https://orders.example.com/nexus");
        await Expect(page.Locator("dd.version")).ToHaveTextAsync("2");
        var edited = (await GetAsync(id)).Endpoint;
        Assert.Equal((2L, "https://orders.example.com/nexus"), (edited.Version, edited.Spec.Target.External.Url));

        // Delete, after the confirmation (accepted by the fixture's pages), with the version shown.
        await page.ClickAsync("details:has(form[action$='/delete']) summary");
        await page.ClickAsync("form[action$='/delete'] button[type=submit]");

        await Expect(page).ToHaveURLAsync(new Regex("/nexus\\?done=delete"));
        await Expect(page.Locator(".notice")).ToHaveTextAsync($"Endpoint {name} deleted.");
        await Expect(page.Locator($"table.nexus-endpoints a:text-is('{name}')")).ToHaveCountAsync(0);
        var gone = await Assert.ThrowsAsync<Temporalio.Exceptions.RpcException>(() => GetAsync(id));
        Assert.Equal(Temporalio.Exceptions.RpcException.StatusCode.NotFound, gone.Code);
    }

    [Fact]
    public async Task Create_TakenName_ShowsTheServersRefusalOnTheFormWithWhatWasTyped()
    {
        var name = NexusEndpoints.NewName("taken");
        await NexusEndpoints.CreateWorkerAsync(fixture, name, "orders", "first");
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/nexus/create");
        await page.FillAsync("input[name=name]", name);
        await page.FillAsync("textarea[name=description]", HostileDescription);
        await page.FillAsync("input[name=task-queue]", "other");

        var response = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("button[type=submit]"), r => r.Request.Method == "POST");

        Assert.Equal(400, response.Status);
        await Expect(page.Locator(".error")).ToHaveTextAsync($"error creating Nexus endpoint. Endpoint with name {name} already registered");
        await Expect(page.Locator("input[name=name]")).ToHaveValueAsync(name);
        await Expect(page.Locator("textarea[name=description]")).ToHaveValueAsync(HostileDescription); // kept, as text
        await Expect(page.Locator("input[name=task-queue]")).ToHaveValueAsync("other");
        await Expect(page.Locator("script:text('pwned')")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Edit_EndpointChangedSinceTheFormWasRead_ShowsTheVersionConflict()
    {
        var name = NexusEndpoints.NewName("stale");
        var endpoint = await NexusEndpoints.CreateWorkerAsync(fixture, name, "orders", "first");
        var page = await fixture.NewPageAsync();
        await page.GotoAsync($"/nexus/{endpoint.Id}/edit");
        await fixture.Client.Connection.OperatorService.UpdateNexusEndpointAsync(new UpdateNexusEndpointRequest
        {
            Id = endpoint.Id,
            Version = endpoint.Version,
            Spec = endpoint.Spec,
        });
        await page.FillAsync("input[name=task-queue]", "mine");

        await page.ClickAsync("button[type=submit]");

        await Expect(page.Locator(".error")).ToHaveTextAsync("nexus endpoint version mismatch. received: 1 expected 2");
        await Expect(page.Locator("input[name=task-queue]")).ToHaveValueAsync("mine");
        Assert.Equal("orders", (await GetAsync(endpoint.Id)).Endpoint.Spec.Target.Worker.TaskQueue);
    }

    [Fact]
    public async Task Create_PostedFromAnotherOrigin_IsRefusedAndCreatesNothing()
    {
        var name = NexusEndpoints.NewName("cross-site");
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(fixture.UiBase, "/nexus/create"))
        {
            Content = new FormUrlEncodedContent([new("name", name), new("target", "worker"), new("namespace", "default"), new("task-queue", "orders")]),
        };
        request.Headers.Add("Origin", "http://attacker.example");

        var response = await http.SendAsync(request);

        Assert.Equal(System.Net.HttpStatusCode.Forbidden, response.StatusCode);
        var listed = await fixture.Client.Connection.OperatorService.ListNexusEndpointsAsync(new ListNexusEndpointsRequest { Name = name });
        Assert.Empty(listed.Endpoints);
    }

    private Task<GetNexusEndpointResponse> GetAsync(string id) =>
        fixture.Client.Connection.OperatorService.GetNexusEndpointAsync(new GetNexusEndpointRequest { Id = id });
}
