using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;

namespace Tempora.EndToEnd.Tests.EagerStart;

/// <summary>
/// `start-dev --dynamic-config-value system.enableEagerWorkflowStart=...` (the Temporal CLI's flag, which
/// temporalio/features' dev-server configuration passes) switches eager workflow start; a value other than a boolean
/// stops the server naming the key. Processes of their own.
/// </summary>
public sealed class EagerWorkflowStartSwitchTests
{
    [Fact]
    public async Task StartDev_EagerStartSwitchedOn_AStartGetsItsFirstTask()
    {
        using var db = new TestDatabase("eager-switch-on", postgres: false);
        await using var server = await TemporaProcess.StartAsync(new TemporaProcessOptions
        {
            DbFile = db.DbFile,
            LogName = "eager-switch-on",
            ExtraArguments = ["--dynamic-config-value", "system.enableEagerWorkflowStart=true"],
        });
        var client = await TemporalClient.ConnectAsync(new(server.Address));

        var described = await client.WorkflowService.DescribeNamespaceAsync(new DescribeNamespaceRequest { Namespace = "default" });
        Assert.True(described.NamespaceInfo.Capabilities.EagerWorkflowStart);
        var response = await EagerStartRequests.StartAsync(server.Address, EagerStartRequests.Start(
            ServerFixture.NewWorkflowId("eager-switch"), ServerFixture.NewTaskQueue("eager-switch"), Guid.NewGuid().ToString()));
        Assert.Equal(3, response.EagerWorkflowTask?.StartedEventId);
    }

    [Fact]
    public async Task StartDev_EagerStartSwitchNotABoolean_ExitsNamingTheKey()
    {
        using var db = new TestDatabase("eager-switch-bad", postgres: false);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => TemporaProcess.StartAsync(new TemporaProcessOptions
        {
            DbFile = db.DbFile,
            LogName = "eager-switch-bad",
            ExtraArguments = ["--dynamic-config-value", "system.enableEagerWorkflowStart=sometimes"],
        }));

        Assert.Contains("exited with code 1", e.Message, StringComparison.Ordinal);
        Assert.Contains("Dynamic config value of system.enableEagerWorkflowStart must be true or false, not 'sometimes'", e.Message, StringComparison.Ordinal);
    }
}
