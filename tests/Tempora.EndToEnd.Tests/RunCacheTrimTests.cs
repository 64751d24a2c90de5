using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Exceptions;
using Temporalio.Worker;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// Correctness under a run cache that is always over its budget (1 byte): every idle run drops its state after each
/// use and reloads it from the store, while updates (accepted, rejected by the validator, in flight across a reload),
/// signals, queries and activities go on; the rebuild check of the test server compares every commit with history.
/// </summary>
public sealed class RunCacheTrimTests : IAsyncLifetime
{
    private OwnServer? _own;

    private TemporalClient Client => _own!.Client;

    public async Task InitializeAsync() =>
        _own = await OwnServer.StartAsync("run-cache-trim", o => o with { RunCacheMaxBytes = 1 });

    public async Task DisposeAsync()
    {
        if (_own is not null)
        {
            await _own.DisposeAsync();
        }
    }

    [Fact]
    public async Task CacheAlwaysOverBudget_UpdatesSignalsQueriesAndActivities_GiveTheRightResults()
    {
        var taskQueue = ServerFixture.NewTaskQueue("trim");
        using var worker = new TemporalWorker(Client, new TemporalWorkerOptions(taskQueue)
            .AddWorkflow<UpdateTests.CounterWorkflow>()
            .AddWorkflow<WaitForFinishWorkflow>()
            .AddWorkflow<HelloWorkflow>()
            .AddAllActivities(new GreetingActivities()));
        await worker.ExecuteAsync(async () =>
        {
            await Task.WhenAll(Enumerable.Range(0, 5).Select(async i =>
            {
                var counter = await Client.StartWorkflowAsync((UpdateTests.CounterWorkflow wf) => wf.RunAsync(),
                    new(ServerFixture.NewWorkflowId($"trim-counter-{i}"), taskQueue));
                Assert.Equal(5, await counter.ExecuteUpdateAsync(wf => wf.AddAsync(5)));
                await Assert.ThrowsAsync<WorkflowUpdateFailedException>(() => counter.ExecuteUpdateAsync(wf => wf.AddAsync(-1)));
                var slow = await counter.StartUpdateAsync(wf => wf.AddSlowlyAsync(2), new(WorkflowUpdateStage.Accepted));
                Assert.Equal(7, await slow.GetResultAsync());
                await counter.SignalAsync(wf => wf.FinishAsync());
                Assert.Equal(7, await counter.GetResultAsync().WithTimeout("the counter workflow"));
                var events = await counter.EventsAsync();
                Assert.Equal(2, events.Count(e => e.EventType == EventType.WorkflowExecutionUpdateCompleted));
                Assert.Equal(Enumerable.Range(1, events.Count).Select(n => (long)n), events.Select(e => e.EventId));

                var waiting = await Client.StartWorkflowAsync((WaitForFinishWorkflow wf) => wf.RunAsync(),
                    new(ServerFixture.NewWorkflowId($"trim-wait-{i}"), taskQueue));
                Assert.Equal("waiting", await waiting.QueryAsync(wf => wf.State()));
                await waiting.SignalAsync(wf => wf.FinishAsync($"done-{i}"));
                Assert.Equal($"done-{i}", await waiting.GetResultAsync().WithTimeout("the waiting workflow"));

                var hello = await Client.StartWorkflowAsync((HelloWorkflow wf) => wf.RunAsync($"trim-{i}"),
                    new(ServerFixture.NewWorkflowId($"trim-hello-{i}"), taskQueue));
                Assert.Equal($"Hello, trim-{i}!", await hello.GetResultAsync().WithTimeout("the hello workflow"));
            }));
        });
        Assert.Empty(_own!.Server.RebuildMismatches);
        // The runs really left the cache: each use read the run back (a cached run is read once, if at all).
        var reads = (await _own.ScrapeAsync()).Value("persistence_requests{operation=\"GetWorkflowExecution\"}");
        Assert.True(reads >= 15 * 4, $"{reads} execution reads for 15 runs");
    }
}
