using Google.Protobuf;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Nexus.V1;
using Temporalio.Api.OperatorService.V1;

namespace Tempora.Web.Tests;

/// <summary>Nexus endpoints the page tests create through the SDK's OperatorService, each with a name of its own.</summary>
internal static class NexusEndpoints
{
    /// <summary>A name matching the registry's rule (a letter, then letters, digits and '-'), unique per test.</summary>
    public static string NewName(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    public static Task<Endpoint> CreateWorkerAsync(UiServerFixture fixture, string name, string taskQueue, string description, string ns = "default") =>
        CreateAsync(fixture, new EndpointSpec
        {
            Name = name,
            Description = JsonPayload(description),
            Target = new EndpointTarget { Worker = new EndpointTarget.Types.Worker { Namespace = ns, TaskQueue = taskQueue } },
        });

    public static Task<Endpoint> CreateExternalAsync(UiServerFixture fixture, string name, string url) =>
        CreateAsync(fixture, new EndpointSpec
        {
            Name = name,
            Target = new EndpointTarget { External = new EndpointTarget.Types.External { Url = url } },
        });

    /// <summary>A string as the default converter writes it (json/plain), as the CLI writes a description.</summary>
    public static Payload JsonPayload(string text) => new()
    {
        Metadata = { ["encoding"] = ByteString.CopyFromUtf8("json/plain") },
        Data = ByteString.CopyFromUtf8(System.Text.Json.JsonSerializer.Serialize(text)),
    };

    private static async Task<Endpoint> CreateAsync(UiServerFixture fixture, EndpointSpec spec) =>
        (await fixture.Client.Connection.OperatorService.CreateNexusEndpointAsync(new CreateNexusEndpointRequest { Spec = spec })).Endpoint;
}
