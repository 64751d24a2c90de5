// Temporal 1.28's batch API (operation types, executions) is marked obsolete in the newer Temporalio package.
#pragma warning disable CS0612
using Temporalio.Api.Batch.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Xunit.Abstractions;
using static Tempora.EndToEnd.Tests.Batch.BatchTestKit;

namespace Tempora.EndToEnd.Tests.Batch;

/// <summary>
/// A batch across a kill -9 of the real server process: a signal batch over 200 workflows, rate-limited so that the
/// kill lands in its middle, restarted on the same store (SQLite file or PostgreSQL, by TEMPORA_TEST_STORE), finishes,
/// and every workflow holds exactly one signal of it: none lost, none twice.
/// </summary>
[Collection(nameof(BatchDurabilityTests))]
public sealed class BatchDurabilityTests(ITestOutputHelper output) : IDisposable
{
    private const int Workflows = 200;

    private readonly TestDatabase _db = new("batch_durability");

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task KillNineMidBatch_RestartOnTheSameStore_EachWorkflowSignalledExactlyOnce()
    {
        var server = await TemporaProcess.StartForAsync(_db, logName: "batch-crash-1");
        var port = server.Port;
        try
        {
            var client = await TemporalClient.ConnectAsync(new(server.Address));
            var type = $"batch-crash-{Guid.NewGuid():N}";
            var handles = await StartIdleAsync(client, type, Workflows);
            var query = $"WorkflowType = '{type}'";
            await WaitListedAsync(client, query, Workflows);
            var jobId = ServerFixture.NewWorkflowId("job-crash");
            await client.WorkflowService.StartBatchOperationAsync(Start(client, jobId, query, r =>
            {
                r.SignalOperation = new BatchOperationSignal { Signal = "once" };
                r.MaxOperationsPerSecond = 40;
            }));
            var before = await Wait.UntilAsync(() => DescribeAsync(client, jobId), d => d.CompleteOperationCount >= 40,
                "the batch to be under way");
            await Task.Delay(Random.Shared.Next(0, 500)); // land the kill anywhere between two items
            await server.KillAsync();
            await server.DisposeAsync();
            output.WriteLine($"killed after at least {before.CompleteOperationCount} of {Workflows}");

            server = await TemporaProcess.StartAsync(_db.Postgres is { } pg
                ? new TemporaProcessOptions { Postgres = pg, Port = port, LogName = "batch-crash-2" }
                : new TemporaProcessOptions { DbFile = _db.DbFile, Port = port, LogName = "batch-crash-2" });
            client = await TemporalClient.ConnectAsync(new(server.Address));
            var after = await DescribeAsync(client, jobId);
            Assert.Equal(BatchOperationState.Running, after.State);
            Assert.True(after.CompleteOperationCount < Workflows, "the kill landed after the batch ended");

            var done = await WaitClosedAsync(client, jobId);
            Assert.Equal((BatchOperationState.Completed, (long)Workflows, (long)Workflows, 0L),
                (done.State, done.TotalOperationCount, done.CompleteOperationCount, done.FailureOperationCount));
            var counts = new List<int>();
            foreach (var handle in handles)
            {
                counts.Add((await EventsAsync(client, handle)).Count(e => e.EventType == EventType.WorkflowExecutionSignaled));
            }
            Assert.All(counts, n => Assert.Equal(1, n));
        }
        finally
        {
            await server.DisposeAsync();
        }
    }
}
