using Temporalio.Worker;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// One SDK client multiplexes every call on one HTTP/2 connection. Many callers waiting for results at once must not
/// block signals, polls and completions on that connection.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ManyWaitersTests(ServerFixture fixture)
{
    private const int Workflows = 150; // above Kestrel's default limit of 100 streams per connection

    [Fact]
    public async Task GetResult_ManyConcurrentWaiters_SignalsAndCompletionsStillFlow()
    {
        var client = fixture.Client;
        var taskQueue = ServerFixture.NewTaskQueue("waiters");
        using var worker = new TemporalWorker(client, new TemporalWorkerOptions(taskQueue).AddWorkflow<WaitForFinishWorkflow>());
        await worker.ExecuteAsync(async () =>
        {
            var handles = await Task.WhenAll(Enumerable.Range(0, Workflows).Select(i => client.StartWorkflowAsync(
                (WaitForFinishWorkflow wf) => wf.RunAsync(), new(ServerFixture.NewWorkflowId($"waiter-{i}"), taskQueue))));
            var results = handles.Select(h => h.GetResultAsync<string>()).ToList(); // each holds a stream while it waits
            await Task.WhenAll(handles.Select((h, i) => h.SignalAsync(wf => wf.FinishAsync($"done-{i}"))))
                .WithTimeout("signals to get through while results are awaited");
            var values = await Task.WhenAll(results).WithTimeout("every waiting workflow to complete");
            Assert.Equal(Enumerable.Range(0, Workflows).Select(i => $"done-{i}"), values);
        });
    }
}
