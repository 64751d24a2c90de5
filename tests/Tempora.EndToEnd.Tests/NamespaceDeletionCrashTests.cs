using Google.Protobuf.WellKnownTypes;
using Temporalio.Api.OperatorService.V1;
using Temporalio.Client;

namespace Tempora.EndToEnd.Tests;

/// <summary>kill -9 right after DeleteNamespace answered: the restarted server finishes the purge.</summary>
[Collection(nameof(NamespaceDeletionCrashTests))]
public sealed class NamespaceDeletionCrashTests : IDisposable
{
    private const int Workflows = 20;

    private readonly TestDatabase _database = new("nsdel");

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task KillServer_RightAfterDeleteNamespace_PurgeCompletesAfterRestart()
    {
        var name = ServerFixture.NewWorkflowId("ns-crash");
        string id;
        await using (var first = await TemporaProcess.StartForAsync(_database, logName: "nsdel-first"))
        {
            var client = await TemporalClient.ConnectAsync(new(first.Address) { Namespace = name });
            await client.WorkflowService.RegisterNamespaceAsync(new()
            {
                Namespace = name,
                WorkflowExecutionRetentionPeriod = Duration.FromTimeSpan(TimeSpan.FromDays(1)),
            });
            id = (await client.WorkflowService.DescribeNamespaceAsync(new() { Namespace = name })).NamespaceInfo.Id;
            var taskQueue = ServerFixture.NewTaskQueue("nsdel");
            for (var i = 0; i < Workflows; i++)
            {
                // No worker: each leaves a workflow task waiting and a run-timeout timer.
                await client.StartWorkflowAsync("Unpolled", [], new(ServerFixture.NewWorkflowId("nsdel"), taskQueue)
                {
                    RunTimeout = TimeSpan.FromHours(1),
                });
            }
            await client.OperatorService.DeleteNamespaceAsync(new() { NamespaceId = id });
            await first.KillAsync();
        }
        Assert.NotEmpty(await NamespaceRows.CountAsync(_database, id)); // at least the namespace's own row is left

        await using var second = await TemporaProcess.StartForAsync(_database, logName: "nsdel-second");
        var rows = await Wait.UntilAsync(() => NamespaceRows.CountAsync(_database, id), r => r.Count == 0,
            "the restarted server to purge the deleted namespace", TimeSpan.FromSeconds(90));
        Assert.Empty(rows);
        var again = await TemporalClient.ConnectAsync(new(second.Address) { Namespace = name });
        await again.WorkflowService.RegisterNamespaceAsync(new()
        {
            Namespace = name,
            WorkflowExecutionRetentionPeriod = Duration.FromTimeSpan(TimeSpan.FromDays(1)),
        });
    }
}
