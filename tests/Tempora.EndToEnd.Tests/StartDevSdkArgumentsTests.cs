using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// `start-dev` takes the arguments sdk-core's ephemeral dev server passes to `temporal server start-dev` (every SDK's
/// <c>TestWorkflowEnvironment.createLocal</c>), so an SDK can launch Tempora in its place: the Temporal CLI's
/// legacy <c>--log-format pretty</c> and <c>--log-level never</c>, the three dynamic-config switches it always sets, and
/// those of temporalio/features' configuration that describe this server.
/// </summary>
public sealed class StartDevSdkArgumentsTests
{
    /// <summary>What sdk-core adds after --port and --ip (crates/sdk-core/src/ephemeral_server/mod.rs).</summary>
    private static readonly string[] SdkCoreArguments =
    [
        "--namespace", "default",
        "--log-format", "pretty",
        "--dynamic-config-value", "frontend.enableServerVersionCheck=false",
        "--dynamic-config-value", "frontend.enableUpdateWorkflowExecution=true",
        "--dynamic-config-value", "frontend.enableUpdateWorkflowExecutionAsyncAccepted=true",
        // temporalio/features' dev-server configuration: the values this server always has.
        "--dynamic-config-value", "system.enableActivityEagerExecution=true",
        "--dynamic-config-value", "system.enableEagerWorkflowStart=false",
        "--dynamic-config-value", "frontend.enableCancelWorkerPollsOnShutdown=true",
        "--dynamic-config-value", "system.enableDeploymentVersions=true",
        "--dynamic-config-value", "frontend.workerVersioningWorkflowAPIs=true",
    ];

    [Fact]
    public async Task StartDev_SdkCoreDevServerArguments_ServesAndLogsNothing()
    {
        using var db = new TestDatabase("sdk-core-args", postgres: false);

        await using var server = await TemporaProcess.StartAsync(new TemporaProcessOptions
        {
            DbFile = db.DbFile,
            LogName = "sdk-core-args",
            LogLevel = "never",
            ExtraArguments = SdkCoreArguments,
        });
        var client = await TemporalClient.ConnectAsync(new(server.Address));
        var described = await client.WorkflowService.DescribeNamespaceAsync(new DescribeNamespaceRequest { Namespace = "default" });

        Assert.Equal("default", described.NamespaceInfo.Name);
        // --log-level never: the banner is all the server writes (its lines are "Name: value", none a log entry).
        Assert.All(server.OutputLines.Where(l => l.Length > 0), l => Assert.Matches(@"^(Tempora |[A-Za-z]+: )", l));
    }

    [Fact]
    public async Task StartDev_UpdatesSwitchedOff_ExitsNamingTheKey()
    {
        using var db = new TestDatabase("sdk-core-args-off", postgres: false);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => TemporaProcess.StartAsync(new TemporaProcessOptions
        {
            DbFile = db.DbFile,
            LogName = "sdk-core-args-off",
            ExtraArguments = ["--dynamic-config-value", "frontend.enableUpdateWorkflowExecution=false"],
        }));

        Assert.Contains("exited with code 1", e.Message, StringComparison.Ordinal);
        Assert.Contains("Dynamic config key 'frontend.enableUpdateWorkflowExecution' can only be true on this server", e.Message, StringComparison.Ordinal);
    }

    /// <summary>temporalio/features' configuration also turns on 1.28's deprecated pre-release deployment APIs, which
    /// Tempora does not serve: refused by name rather than accepted and ignored.</summary>
    [Fact]
    public async Task StartDev_PreReleaseDeploymentsSwitchedOn_ExitsNamingTheKey()
    {
        using var db = new TestDatabase("deployments-on", postgres: false);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => TemporaProcess.StartAsync(new TemporaProcessOptions
        {
            DbFile = db.DbFile,
            LogName = "deployments-on",
            ExtraArguments = ["--dynamic-config-value", "system.enableDeployments=true"],
        }));

        Assert.Contains("Dynamic config key 'system.enableDeployments' can only be false on this server", e.Message, StringComparison.Ordinal);
    }
}
