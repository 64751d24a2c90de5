using Temporalio.Client;
using Temporalio.Worker;

namespace Tempora.EndToEnd.Tests.Security;

/// <summary>The official .NET SDK against a frontend that speaks TLS, and one that requires client certificates (mTLS).</summary>
public sealed class TlsSdkTests
{
    [Fact]
    public async Task Tls_SdkClientAndWorker_RunWorkflow_PlaintextClientRefused()
    {
        await using var tls = await TlsTestServer.StartAsync("tls-sdk", t => new Server.TlsOptions { Frontend = t.FrontendSettings(requireClientAuth: false) });
        var client = await tls.ConnectAsync();

        Assert.Equal("Hello, TLS!", await RunHelloAsync(client, "TLS"));
        await Assert.ThrowsAnyAsync<Exception>(() => TemporalClient.ConnectAsync(new TemporalClientConnectOptions(tls.Server.GrpcAddress)));
    }

    [Fact]
    public async Task Mtls_ClientWithCertificate_RunsWorkflow_WithoutOrWithForeignCertificateRefused()
    {
        await using var tls = await TlsTestServer.StartAsync("mtls-sdk", t => new Server.TlsOptions { Frontend = t.FrontendSettings(requireClientAuth: true) });
        var client = await tls.ConnectAsync(tls.ClientLeaf);

        Assert.Equal("Hello, mTLS!", await RunHelloAsync(client, "mTLS"));

        await Assert.ThrowsAnyAsync<Exception>(() => tls.ConnectAsync());
        using var otherCa = new TestCa("Someone else's CA");
        using var foreign = otherCa.Issue("tempora-test-client");
        await Assert.ThrowsAnyAsync<Exception>(() => tls.ConnectAsync(foreign));
        // A certificate the server CA issued is no client certificate of this server either.
        await Assert.ThrowsAnyAsync<Exception>(() => tls.ConnectAsync(tls.ServerLeaf));
    }

    internal static async Task<string> RunHelloAsync(TemporalClient client, string name)
    {
        var taskQueue = ServerFixture.NewTaskQueue("tls");
        using var worker = new TemporalWorker(client, new TemporalWorkerOptions(taskQueue)
            .AddWorkflow<HelloWorkflow>()
            .AddAllActivities(new GreetingActivities()));
        return await worker.ExecuteAsync(() => client.ExecuteWorkflowAsync(
            (HelloWorkflow w) => w.RunAsync(name),
            new WorkflowOptions(ServerFixture.NewWorkflowId("tls"), taskQueue) { ExecutionTimeout = TimeSpan.FromMinutes(1) }))
            .WithTimeout("the workflow over TLS", TimeSpan.FromSeconds(60));
    }
}
